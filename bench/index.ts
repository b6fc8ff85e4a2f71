// `npm run bench -- <name> [args]`: runs bench/<name>.ts, whose run(args) prints its own numbers.
const benches = ['http', 'cluster', 'saju', 'recommendations', 'chat', 'soak'] as const;
type BenchName = (typeof benches)[number];

const name = process.argv[2] as BenchName | undefined;
if (!name || !benches.includes(name)) {
  console.error(`usage: npm run bench -- <${benches.join('|')}> [options]`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { run: (args: string[]) => Promise<void> };
await mod.run(process.argv.slice(3));

import { compileServers } from './lib/processes.js';

// `npm run bench -- <name> [args]`: runs bench/<name>.ts, whose run(args) prints its own numbers.
const benches = ['http', 'cluster', 'saju', 'recommendations', 'chat', 'soak', 'push'] as const;
type BenchName = (typeof benches)[number];

// Each benchmark parses its own options (src/lib/cli.ts: unknown flags and bad numbers refused;
// `npm run bench -- <name> --help` lists them).
const name = process.argv[2] as BenchName | undefined;
if (!name || !benches.includes(name)) {
  console.error(`${name === undefined ? 'No benchmark named' : `Unknown benchmark '${name}'`}\nusage: npm run bench -- <${benches.join('|')}> [options]`);
  process.exit(2);
}
// Every bench but saju (no server) starts servers: they run compiled, as deployed (processes.ts).
if (name !== 'saju' && !process.argv.includes('--help')) console.log(compileServers());
const mod = (await import(`./${name}.ts`)) as { run: (args: string[]) => Promise<void> };
await mod.run(process.argv.slice(3));

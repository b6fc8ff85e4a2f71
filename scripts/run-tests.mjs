// Runs every test file under test/ (or the files/folders given) with node's test runner and tsx.
// Node 20's --test cannot glob .ts files itself, so the list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

let args;
try {
  ({ positionals: args } = parseArgs({ args: process.argv.slice(2), strict: true, allowPositionals: true, options: {} }));
} catch (error) {
  console.error(`${error.message.split('. To specify a positional argument')[0]}\nusage: npm test -- [test files or folders…] (TEST_CONCURRENCY=N: files at once, default 2)`);
  process.exit(2);
}
const roots = args.length > 0 ? args : ['test'];
const files = roots.flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error('no test files found under', roots.join(', '));
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

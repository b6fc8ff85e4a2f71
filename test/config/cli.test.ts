import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CliError, parseCommandLine } from '../../src/lib/cli.js';

const spec = {
  command: 'npm run example --',
  options: {
    users: { type: 'integer', default: 1000, min: 1, help: 'people' },
    share: { type: 'number', default: 0.15, min: 0, max: 1, help: 'a share' },
    seed: { type: 'integer', help: 'a seed' },
    url: { type: 'string', help: 'a URL' },
    reuse: { type: 'boolean', help: 'reuse' },
  },
} as const;

function refusal(args: string[]): string {
  try {
    parseCommandLine(args, spec);
  } catch (error) {
    assert.ok(error instanceof CliError);
    assert.match(error.usage, /^usage: npm run example -- \[options\]\n {2}--users <N>/);
    return error.message;
  }
  assert.fail(`accepted ${args.join(' ')}`);
}

describe('command-line parsing (parseArgs, strict)', () => {
  it('reads flags in both spellings and fills in the defaults', () => {
    assert.deepEqual(parseCommandLine([], spec), {
      values: { users: 1000, share: 0.15, seed: undefined, url: undefined, reuse: false },
      positionals: [],
      help: false,
    });
    assert.deepEqual(parseCommandLine(['--users', '20', '--share=0.5', '--seed=-3', '--url', 'postgres://x/y', '--reuse'], spec).values, {
      users: 20,
      share: 0.5,
      seed: -3,
      url: 'postgres://x/y',
      reuse: true,
    });
    assert.equal(parseCommandLine(['--help'], spec).help, true);
    assert.equal(parseCommandLine(['-h'], spec).help, true);
  });

  it('refuses unknown flags, missing values, stray arguments and bad numbers, saying which', () => {
    assert.equal(refusal(['--user', '5']), "Unknown option '--user'");
    assert.equal(refusal(['--users']), "Option '--users <value>' argument missing");
    assert.equal(refusal(['5']), "Unexpected argument '5'");
    assert.equal(refusal(['--users', 'ten']), "--users must be an integer, got 'ten'");
    assert.equal(refusal(['--users', '1.5']), "--users must be an integer, got '1.5'");
    assert.equal(refusal(['--users', '0x10']), "--users must be an integer, got '0x10'");
    assert.equal(refusal(['--users=']), "--users must be an integer, got ''");
    assert.equal(refusal(['--users', '99999999999999999999']), "--users must be an integer, got '99999999999999999999'");
    assert.equal(refusal(['--users', '0']), '--users must be at least 1, got 0');
    assert.equal(refusal(['--share', '1.01']), '--share must be 0–1, got 1.01');
    assert.equal(refusal(['--share', 'NaN']), "--share must be a number, got 'NaN'");
    assert.equal(refusal(['--share', 'Infinity']), "--share must be a number, got 'Infinity'");
    assert.equal(refusal(['--reuse=yes']), "Option '--reuse' does not take an argument");
  });
});

describe('every entry point refuses a bad command line before doing anything', () => {
  // Each exits 2 with the message and its usage, before it opens a database or starts a server
  // (DATABASE_URL points nowhere, so reaching the database would fail differently).
  const env = {
    ...process.env,
    DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'saju-cli-')),
    NODE_ENV: 'test',
  };
  const run = (file: string, args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { env, encoding: 'utf8', timeout: 120_000 });

  const cases: [string, string, string[], RegExp, RegExp][] = [
    ['migrate', 'src/db/migrate.cli.ts', ['--force'], /^Unknown option '--force'/, /usage: npm run migrate --/],
    ['seed', 'scripts/seed.ts', ['--users', '10k'], /^--users must be an integer, got '10k'/, /usage: npm run seed --/],
    ['bench', 'bench/index.ts', ['saju', '--round=3'], /^Unknown option '--round'/, /usage: npm run bench -- saju/],
    ['chaos', 'test/chaos/chaos.ts', ['--messages', 'many'], /^--messages must be an integer, got 'many'/, /usage: npm run test:chaos --/],
    ['client:generate', 'scripts/generate-client.ts', ['--out', 'x'], /^Unknown option '--out'/, /usage: npm run client:generate --/],
  ];
  for (const [name, file, args, message, usage] of cases) {
    it(`${name} ${args.join(' ')}`, () => {
      const result = run(file, args);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.match(result.stderr, usage);
      assert.equal(result.stdout, '');
    });
  }

  it('npm test (scripts/run-tests.mjs) refuses a flag instead of taking it for a file', () => {
    const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', '--watch'], { env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^Unknown option '--watch'\nusage: npm test --/);
  });
});

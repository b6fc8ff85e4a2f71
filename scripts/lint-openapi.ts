import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLine } from '../src/lib/cli.js';

// `npm run lint:openapi`: writes the OpenAPI document exactly as the app serves it and lints it
// with Redocly (recommended rules, redocly.yaml) and Spectral (spectral:oas, .spectral.yaml).
// Any error or warning from either fails the run.
commandLine({ command: 'npm run lint:openapi --', options: {} });
const { openApiDocument } = await import('./openapi-document.js');
const dir = mkdtempSync(join(tmpdir(), 'saju-openapi-'));
const file = join(dir, 'openapi.json');
try {
  writeFileSync(file, JSON.stringify(await openApiDocument(), null, 2));
  const bin = (name: string) => join('node_modules', '.bin', name);
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  let failed = false;

  // Redocly exits 0 on warnings: its JSON report is counted here instead.
  const redocly = spawnSync(bin('redocly'), ['lint', '--config', 'redocly.yaml', '--format', 'json', '--max-problems', '1000', file], { env, encoding: 'utf8' });
  const report = JSON.parse(redocly.stdout.slice(redocly.stdout.indexOf('{'))) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
  };
  for (const p of report.problems) console.log(`redocly ${p.severity} ${p.ruleId}: ${p.message} (${p.location[0]?.pointer ?? ''})`);
  console.log(`redocly (recommended): ${report.totals.errors} errors, ${report.totals.warnings} warnings`);
  if (redocly.status !== 0 || report.totals.errors + report.totals.warnings > 0) failed = true;

  // Spectral fails on anything down to a hint with --fail-severity hint.
  const spectral = spawnSync(bin('spectral'), ['lint', '--ruleset', '.spectral.yaml', '--fail-severity', 'hint', file], { env, encoding: 'utf8' });
  console.log(`spectral (spectral:oas): ${spectral.stdout.trim() || 'no problems'}`);
  if (spectral.status !== 0) failed = true;
  if (failed) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

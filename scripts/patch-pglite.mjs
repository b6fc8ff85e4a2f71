// Runs after `npm install` / `npm ci` (package.json "postinstall").
//
// PGlite reads every text field of a result with one `new TextDecoder('utf-8')`, whose default
// drops a leading U+FEFF (byte-order mark): a value stored as "\uFEFFabc" comes back as "abc". The
// embedded database would then hand back something other than what it stores (a client_msg_id,
// for one, is kept exactly as sent). This gives PGlite's protocol reader `{ ignoreBOM: true }`,
// the decoder PostgreSQL's own `pg` driver effectively uses (Buffer#toString keeps the mark).
// Idempotent; test/db/pglite-text.test.ts fails if the patch is missing.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const READER = /new TextDecoder\(([A-Za-z_$][\w$]*\(this,[A-Za-z_$][\w$]*\))\)/g;

let root;
try {
  // The package's main entry lives in dist/ (its package.json is not exported).
  root = dirname(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')));
} catch {
  process.exit(0); // not installed (e.g. a production install without it): nothing to patch
}

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (/\.(c|m)?js$/.test(entry.name)) yield path;
  }
}

let patched = 0;
let already = 0;
for (const file of files(join(root, 'dist'))) {
  const text = readFileSync(file, 'utf8');
  if (text.includes('{ignoreBOM:!0}')) already++;
  const next = text.replace(READER, 'new TextDecoder($1,{ignoreBOM:!0})');
  if (next !== text) {
    writeFileSync(file, next);
    patched++;
  }
}
if (patched + already === 0) {
  console.warn('scripts/patch-pglite.mjs: PGlite\'s protocol reader was not found (a new PGlite version?); text starting with U+FEFF will lose it on the embedded database');
}

// Builds the web client (web/ → dist/public/) with Vite, only when a source is newer than the
// last build: `npm start` runs it every time and it costs nothing when nothing changed.
// `--force` rebuilds anyway.
import { buildWebClient, webClientStale, WEB_OUT_DIR } from './lib/web-build.js';

if (process.argv.includes('--force') || webClientStale()) {
  const started = performance.now();
  await buildWebClient();
  console.log(`web client built into ${WEB_OUT_DIR} in ${Math.round(performance.now() - started)} ms`);
} else {
  console.log(`web client up to date (${WEB_OUT_DIR})`);
}

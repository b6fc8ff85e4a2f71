import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Where `npm run build` puts the web client; the server serves it from there. */
export const WEB_OUT_DIR = join(root, 'dist/public');
const SOURCES = ['web', 'client', 'package-lock.json'].map((p) => join(root, p));

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** True when there is no build in outDir or a source (web/, client/, the lock file) is newer. */
export function webClientStale(outDir = WEB_OUT_DIR): boolean {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => existsSync(s) && newestMtime(s) > built);
}

/** Builds web/ with Vite into outDir (tests build into a directory of their own). */
export async function buildWebClient(outDir = WEB_OUT_DIR): Promise<string> {
  const { build } = await import('vite');
  await build({ configFile: join(root, 'web/vite.config.ts'), build: { outDir, emptyOutDir: true } });
  return outDir;
}

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The web client: web/ → dist/public/, served by the API server at `/` (src/web/web-client.plugin.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/public', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Hashed names (assets/index-<hash>.js) are what lets the server cache them for a year.
    assetsDir: 'assets',
    sourcemap: true,
  },
  server: {
    // `npx vite web` during development: the API runs on :3000 (npm run dev).
    proxy: { '/api': 'http://localhost:3000', '/socket.io': { target: 'ws://localhost:3000', ws: true } },
  },
});

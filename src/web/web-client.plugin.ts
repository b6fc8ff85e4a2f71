import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the web client (web/ built by Vite), from src/ or dist/ alike. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/public/', import.meta.url));

/** Vite names every built asset by its content hash: a changed file gets a new name. */
const HASHED_ASSET = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

// The page loads only its own scripts and styles; it talks to this origin (REST and Socket.IO);
// profile photos are URLs people typed, so images may come from any http(s) host.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' https: http: data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export function webClientBuilt(root: string): boolean {
  return existsSync(join(root, 'index.html'));
}

/**
 * Serves the built web client at `/`. One route per built file (no wildcard), so every other
 * path — /api, /socket.io, /docs, /openapi.json, /healthz, /readyz, /metrics, and unknown ones —
 * keeps its own handler and its JSON 404. Hashed assets are cached for a year (immutable);
 * index.html is revalidated on every load so a deploy reaches browsers at once.
 */
export function webClientPlugin(root: string) {
  return async (app: FastifyInstance) => {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders(res, path) {
        if (HASHED_ASSET.test(path.replaceAll('\\', '/'))) {
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        } else {
          res.setHeader('cache-control', 'no-cache');
        }
        if (path.endsWith('.html')) {
          res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
          res.setHeader('x-content-type-options', 'nosniff');
          res.setHeader('referrer-policy', 'no-referrer');
        }
      },
    });
  };
}

import type { FastifyInstance } from 'fastify';
import { invalid } from './errors.js';
import { TOO_DEEP_MESSAGE, tooDeep } from './json-depth.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Request bodies as clients actually send them:
 * - an empty body with `Content-Type: application/json` (many HTTP clients always set it) is no
 *   body at all, not a parse error — routes with a required body still refuse it by their schema;
 * - JSON nested deeper than 32 levels is refused (400) right after parsing (json-depth.ts);
 * - a route that takes no body refuses a non-empty one ("unknown fields → 400"), instead of
 *   silently ignoring it.
 */
export function installJsonBodies(app: FastifyInstance): void {
  // JSON in and out: a text/plain body is an unsupported media type (415) like any other, not a
  // string that then fails the body schema with a confusing message.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    parseJson(request, body as string, (err, value) => {
      if (err) return done(err, undefined);
      // Before any other code walks it (NUL check, schema, handlers): bounded depth.
      if (tooDeep(value)) return done(invalid(`Invalid body: ${TOO_DEEP_MESSAGE}`), undefined);
      done(null, value);
    });
  });

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const hasBodySchema = Boolean((route.schema as { body?: unknown } | undefined)?.body);
    if (hasBodySchema || !methods.some((m) => WRITE_METHODS.has(m)) || route.url.startsWith('/socket.io')) return;
    const refuseBody = async (request: { body: unknown }) => {
      const body = request.body;
      const empty = body === undefined || body === null || (typeof body === 'object' && Object.keys(body as object).length === 0);
      if (!empty) throw invalid('This endpoint takes no request body');
    };
    const existing = route.preValidation;
    route.preValidation = existing ? [...(Array.isArray(existing) ? existing : [existing]), refuseBody] : [refuseBody];
  });
}

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client } from '../helpers/client.js';

/**
 * What generated Swift/Kotlin/TypeScript clients and the OpenAPI linters (`npm run lint:openapi`)
 * need from every operation, checked here so that a route added later fails at once: a camelCase
 * operationId used once, tags declared at the top level, a security entry (empty for public
 * routes), a summary, and for every /api route the client errors it can answer.
 */
let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => t.close());

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  summary?: string;
  responses?: Record<string, unknown>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

it('every operation has an operationId, a declared tag, a security entry and a summary', async () => {
  const doc = (await client(t.baseUrl).get('/openapi.json')).body as {
    servers?: { url: string }[];
    tags?: { name: string; description?: string }[];
    components?: { securitySchemes?: Record<string, unknown> };
    paths: Record<string, Record<string, Operation>>;
  };
  assert.ok(doc.servers && doc.servers.length > 0, 'the document names its servers');
  const declaredTags = new Set((doc.tags ?? []).map((tag) => tag.name));
  const schemes = new Set(Object.keys(doc.components?.securitySchemes ?? {}));
  const ids = new Map<string, string>();
  const problems: string[] = [];
  let operations = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      operations++;
      const where = `${method.toUpperCase()} ${path}`;
      if (!op.operationId || !/^[a-z][a-zA-Z0-9]*$/.test(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is not camelCase`);
      else if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
      else ids.set(op.operationId, where);
      if (!op.tags?.length) problems.push(`${where}: no tag`);
      for (const tag of op.tags ?? []) if (!declaredTags.has(tag)) problems.push(`${where}: tag '${tag}' not declared at the top level`);
      if (!Array.isArray(op.security)) problems.push(`${where}: no security entry (use [] for a public route)`);
      for (const requirement of op.security ?? []) {
        for (const scheme of Object.keys(requirement)) if (!schemes.has(scheme)) problems.push(`${where}: unknown security scheme ${scheme}`);
      }
      if (!op.summary?.trim()) problems.push(`${where}: no summary`);
      const statuses = Object.keys(op.responses ?? {});
      if (path.startsWith('/api/')) {
        if (!statuses.some((s) => /^4\d\d$/.test(s))) problems.push(`${where}: documents no 4xx answer`);
        if ((op.security ?? []).length > 0 && !statuses.includes('401')) problems.push(`${where}: needs a token but documents no 401`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(operations >= 25, `${operations} operations`);
  // Every declared tag is used, and says what it groups.
  for (const tag of doc.tags ?? []) {
    assert.ok(tag.description, `tag ${tag.name} has a description`);
    assert.ok(Object.values(doc.paths).some((item) => Object.values(item).some((op) => op.tags?.includes(tag.name))), `tag ${tag.name} is used`);
  }
  // The names app teams' generated clients get.
  assert.equal(ids.get('acceptMatch'), 'POST /api/matches/{match_id}/accept');
  assert.equal(ids.get('sendMessage'), 'POST /api/chats/{chat_id}/messages');
  assert.equal(ids.get('registerUser'), 'POST /api/users/register');
  assert.deepEqual(doc.paths['/api/users/login']?.post?.security, []);
  assert.deepEqual(doc.paths['/api/users/me']?.get?.security, [{ bearerAuth: [] }]);
});

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client } from '../helpers/client.js';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(async () => t.close());

const ROUTES: Array<[string, string, string[]]> = [
  ['get', '/api/matches/recommendations', ['200', '400', '401', '503']],
  ['get', '/api/matches/compatibility/{user_id}', ['200', '400', '401', '404', '429', '503']],
  ['post', '/api/matches/request', ['201', '400', '401', '404', '409', '429', '503']],
  ['post', '/api/matches/{match_id}/accept', ['200', '400', '401', '403', '404', '409', '503']],
  ['post', '/api/matches/{match_id}/decline', ['200', '400', '401', '403', '404', '409', '503']],
  ['get', '/api/matches', ['200', '400', '401', '503']],
  ['get', '/api/users/{user_id}', ['200', '400', '401', '404', '429', '503']],
  ['post', '/api/users/{user_id}/block', ['204', '400', '401', '404', '503']],
  ['delete', '/api/users/{user_id}/block', ['204', '400', '401', '404', '503']],
  ['post', '/api/users/{user_id}/report', ['201', '400', '401', '404', '429', '503']],
];

it('documents every matching and safety route with tags, summary, bearer auth, inputs and responses', async () => {
  const doc = (await client(t.baseUrl).get('/openapi.json')).body;
  for (const [method, path, codes] of ROUTES) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path} documented`);
    assert.ok(op.tags.length > 0 && op.summary, `${path} tags and summary`);
    assert.deepEqual(op.security, [{ bearerAuth: [] }]);
    assert.deepEqual(Object.keys(op.responses).sort(), codes, `${method} ${path} responses`);
    if (path.includes('{')) assert.ok(op.parameters.some((p: any) => p.in === 'path'), `${path} path parameter`);
  }
  assert.ok(doc.paths['/api/matches/request'].post.requestBody, 'request body schema');
  assert.ok(doc.paths['/api/users/{user_id}/report'].post.requestBody, 'report body schema');
  const query = doc.paths['/api/matches'].get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name);
  assert.deepEqual(query.sort(), ['direction', 'status']);
});

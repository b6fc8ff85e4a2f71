import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { man, woman } from '../matches/helpers.js';

/** PROFILE_VIEWS_PER_HOUR: public profiles and compatibility breakdowns together, per viewer. */
describe('PROFILE_VIEWS_PER_HOUR=6', () => {
  let t: TestApp;
  let api: Client;
  before(async () => {
    t = await startTestApp({ PROFILE_VIEWS_PER_HOUR: '6' });
    api = client(t.baseUrl);
  });
  after(async () => t.close());

  it('profile and compatibility views count together; the 7th is 429 with Retry-After and an error', async () => {
    const viewer = await man(api);
    const people = await Promise.all([woman(api), woman(api), woman(api)]);
    const statuses: number[] = [];
    for (const p of people) {
      statuses.push((await api.get(`/api/users/${p.id}`, { token: viewer.accessToken })).status);
      statuses.push((await api.get(`/api/matches/compatibility/${p.id}`, { token: viewer.accessToken })).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
    for (const path of [`/api/users/${people[0]!.id}`, `/api/matches/compatibility/${people[1]!.id}`]) {
      const refused = await api.get(path, { token: viewer.accessToken });
      assert.equal(refused.status, 429, path);
      assert.deepEqual(refused.body, { error: 'Too many profile views, please try again later' });
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 3590 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    }
    // Per viewer: someone else still sees them; the viewer's other routes are untouched.
    const other = await man(api);
    assert.equal((await api.get(`/api/users/${people[0]!.id}`, { token: other.accessToken })).status, 200);
    assert.equal((await api.get('/api/users/me', { token: viewer.accessToken })).status, 200);
    assert.equal((await api.get('/api/matches/recommendations', { token: viewer.accessToken })).status, 200);
  });

  it('probing unknown ids counts too (scraping by id), and so do parallel views: exactly 6 answered', async () => {
    const viewer = await man(api);
    const target = await woman(api);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.get(i % 2 ? `/api/users/${2_000_000_000 - i}` : `/api/matches/compatibility/${target.id}`, { token: viewer.accessToken }),
      ),
    );
    assert.equal(results.filter((r) => r.status !== 429).length, 6, results.map((r) => r.status).join());
    assert.ok(results.filter((r) => r.status !== 429).every((r) => r.status === 200 || r.status === 404));
  });
});

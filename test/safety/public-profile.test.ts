import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import { man, woman } from '../matches/helpers.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

describe('GET /api/users/{user_id}', () => {
  it('the public profile: age in Korean time, never the birth date or email', async () => {
    // 15 March 00:30 in Korea, still 14 March in UTC.
    t.clock.now = new Date('2030-03-14T15:30:00.000Z');
    const viewer = await man(api);
    const b = await woman(api, { birth_date: '2000-03-15' });
    await api.put('/api/users/me', { token: b.accessToken, body: { location: '부산 해운대구', job: '약사', bio: '바다 좋아해요' } });
    const res = await api.get(`/api/users/${b.id}`, { token: viewer.accessToken });
    assert.equal(res.status, 200);
    // active_recently (b used the API just now, recorded in the background): tested in test/users/discovery.
    const { active_recently: active, ...rest } = res.body;
    assert.equal(typeof active, 'boolean');
    assert.deepEqual(rest, {
      user_id: b.id,
      name: b.name,
      age: 30,
      gender: 'female',
      location: '부산 해운대구',
      job: '약사',
      bio: '바다 좋아해요',
      profile_img_url: null,
      region: null,
    });
    assert.ok(!res.text.includes('2000-03-15') && !res.text.includes(b.email));
    t.clock.now = new Date('2030-03-14T14:30:00.000Z'); // 23:30 on 14 March in Korea
    assert.equal((await api.get(`/api/users/${b.id}`, { token: viewer.accessToken })).body.age, 29);
  });

  it('the own id shows what others see; /api/users/me is still the own full profile', async () => {
    const a = await man(api);
    const own = await api.get(`/api/users/${a.id}`, { token: a.accessToken });
    assert.equal(own.status, 200);
    assert.equal('email' in own.body, false);
    assert.equal((await api.get('/api/users/me', { token: a.accessToken })).body.email, a.email);
  });

  it('404 for an unknown user or a block either way, 400 for a malformed id, 401 without a token', async () => {
    const a = await man(api);
    const b = await woman(api);
    assert.equal((await api.get('/api/users/2000000000', { token: a.accessToken })).status, 404);
    for (const bad of ['abc', '0', '-2', '3.5']) assert.equal((await api.get(`/api/users/${bad}`, { token: a.accessToken })).status, 400, bad);
    await api.post(`/api/users/${a.id}/block`, { token: b.accessToken });
    const hidden = await api.get(`/api/users/${b.id}`, { token: a.accessToken });
    assert.equal(hidden.status, 404);
    assert.equal('name' in hidden.body, false);
    assert.equal((await api.get(`/api/users/${a.id}`, { token: b.accessToken })).status, 404);
    assert.equal((await api.get(`/api/users/${b.id}`)).status, 401);
  });
});

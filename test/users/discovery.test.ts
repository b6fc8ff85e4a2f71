import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { insertChat } from '../helpers/chat-factory.js';
import { client, type Client } from '../helpers/client.js';
import { createUser, type TestUser } from '../helpers/factories.js';

let t: TestApp;
let api: Client;
before(async () => {
  t = await startTestApp();
  api = client(t.baseUrl);
});
after(async () => t.close());

const me = async (user: TestUser) => (await api.get('/api/users/me', { token: user.accessToken })).body;
const put = (user: TestUser, body: unknown) => api.put('/api/users/me', { token: user.accessToken, body });

describe('discovery preferences in PUT/GET /api/users/me', () => {
  it('defaults: region null, anywhere, no age bounds, discoverable, showing activity', async () => {
    const user = await createUser(api);
    const body = await me(user);
    assert.equal(body.region, null);
    assert.deepEqual(body.preferred_regions, []);
    assert.equal(body.age_min, null);
    assert.equal(body.age_max, null);
    assert.equal(body.discoverable, true);
    assert.equal(body.show_activity, true);
  });

  it('stores every field; null clears; preferred_regions null or [] is anywhere; other fields stay', async () => {
    const user = await createUser(api);
    const res = await put(user, {
      region: 'busan',
      preferred_regions: ['ulsan', 'busan', 'gyeongnam'],
      age_min: 19,
      age_max: 100,
      discoverable: false,
      show_activity: false,
      bio: '안녕',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { message: 'Profile updated successfully' });
    let body = await me(user);
    assert.equal(body.region, 'busan');
    assert.deepEqual([...body.preferred_regions].sort(), ['busan', 'gyeongnam', 'ulsan']);
    assert.equal(body.age_min, 19);
    assert.equal(body.age_max, 100);
    assert.equal(body.discoverable, false);
    assert.equal(body.show_activity, false);
    assert.equal(body.bio, '안녕');

    assert.equal((await put(user, { age_max: null })).status, 200);
    body = await me(user);
    assert.equal(body.age_max, null);
    assert.equal(body.age_min, 19, 'not sent, kept');
    assert.equal((await put(user, { preferred_regions: null, region: null, discoverable: true })).status, 200);
    body = await me(user);
    assert.deepEqual(body.preferred_regions, []);
    assert.equal(body.region, null);
    assert.equal(body.discoverable, true);
    assert.equal((await put(user, { preferred_regions: ['jeju'] })).status, 200);
    assert.equal((await put(user, { preferred_regions: [] })).status, 200);
    assert.deepEqual((await me(user)).preferred_regions, []);
    // All 17 at once is allowed.
    const all = ['seoul', 'busan', 'daegu', 'incheon', 'gwangju', 'daejeon', 'ulsan', 'sejong', 'gyeonggi', 'gangwon', 'chungbuk', 'chungnam', 'jeonbuk', 'jeonnam', 'gyeongbuk', 'gyeongnam', 'jeju'];
    assert.equal((await put(user, { preferred_regions: all })).status, 200);
    assert.equal((await me(user)).preferred_regions.length, 17);
    for (const region of all) assert.equal((await put(user, { region })).status, 200, region);
  });

  it('400 for bad values, with the field named; nothing is stored', async () => {
    const user = await createUser(api);
    const bad: Array<[string, unknown]> = [
      ['region', 'tokyo'],
      ['region', 'Seoul'],
      ['region', ''],
      ['region', 3],
      ['region', ['seoul']],
      ['preferred_regions', ['seoul', 'seoul']],
      ['preferred_regions', ['mars']],
      ['preferred_regions', 'seoul'],
      ['preferred_regions', [null]],
      ['preferred_regions', [...Array(17).fill(0).map((_, i) => `x${i}`), 'seoul']],
      ['age_min', 18],
      ['age_min', 101],
      ['age_min', 25.5],
      ['age_min', '25'],
      ['age_max', 0],
      ['age_max', -1],
      ['age_max', 1000],
      ['discoverable', 'false'],
      ['discoverable', null],
      ['show_activity', 0],
      ['show_activity', null],
    ];
    for (const [field, value] of bad) {
      const res = await put(user, { [field]: value });
      assert.equal(res.status, 400, `${field}: ${JSON.stringify(value)}`);
      assert.equal(typeof res.body.error, 'string');
    }
    const body = await me(user);
    assert.equal(body.region, null);
    assert.deepEqual(body.preferred_regions, []);
    assert.equal(body.discoverable, true);
  });

  it('age_min ≤ age_max: both sent, or one sent against the stored other; equal is fine', async () => {
    const user = await createUser(api);
    const both = await put(user, { age_min: 40, age_max: 30 });
    assert.equal(both.status, 400);
    assert.equal(both.body.error, "Invalid age range: 'age_min' must not be greater than 'age_max'");
    assert.equal((await put(user, { age_min: 30, age_max: 30 })).status, 200);
    assert.equal((await put(user, { age_min: 31 })).status, 400, 'above the stored age_max');
    assert.equal((await put(user, { age_max: 29 })).status, 400, 'below the stored age_min');
    assert.equal((await put(user, { age_min: 25 })).status, 200);
    assert.equal((await put(user, { age_max: null })).status, 200);
    assert.equal((await put(user, { age_min: 90 })).status, 200, 'no stored age_max: any age_min');
    assert.equal((await put(user, { age_min: null, age_max: 20 })).status, 200, 'clearing one while setting the other');
    const body = await me(user);
    assert.equal(body.age_min, null);
    assert.equal(body.age_max, 20);
  });
});

describe('region and active_recently in profiles and chats', () => {
  const setActivity = (userId: number, hoursAgo: number) =>
    t.database.db
      .insertInto('user_activity')
      .values({ user_id: userId, last_active_at: new Date(Date.now() - hoursAgo * 3600_000) })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_active_at: new Date(Date.now() - hoursAgo * 3600_000) }))
      .execute();

  it('the public profile shows region and whether the person used the API in the last 24 hours', async () => {
    const viewer = await createUser(api);
    const person = await createUser(api);
    assert.equal((await put(person, { region: 'jeju' })).status, 200);
    // The person's own requests above recorded their activity (written in the background).
    let profile = (await api.get(`/api/users/${person.id}`, { token: viewer.accessToken })).body;
    assert.equal(profile.region, 'jeju');
    for (let i = 0; i < 50 && profile.active_recently !== true; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      profile = (await api.get(`/api/users/${person.id}`, { token: viewer.accessToken })).body;
    }
    assert.equal(profile.active_recently, true);

    await setActivity(person.id, 23);
    assert.equal((await api.get(`/api/users/${person.id}`, { token: viewer.accessToken })).body.active_recently, true);
    await setActivity(person.id, 25);
    assert.equal((await api.get(`/api/users/${person.id}`, { token: viewer.accessToken })).body.active_recently, false);
    // Their use within the hour is not written again (one write per hour), so it stays 25 h ago.
    assert.equal((await api.get('/api/users/me', { token: person.accessToken })).status, 200);
    assert.equal((await api.get(`/api/users/${person.id}`, { token: viewer.accessToken })).body.active_recently, false);

    assert.equal((await put(person, { show_activity: false })).status, 200);
    profile = (await api.get(`/api/users/${person.id}`, { token: viewer.accessToken })).body;
    assert.equal(profile.active_recently, null);
    assert.deepEqual(Object.keys(profile).sort(), [
      'active_recently',
      'age',
      'bio',
      'gender',
      'job',
      'location',
      'name',
      'profile_img_url',
      'region',
      'user_id',
    ]);
  });

  it('each chat partner carries active_recently: false without recorded use, true within 24 h, null when hidden', async () => {
    const a = await createUser(api, { gender: 'male' });
    const b = await createUser(api, { gender: 'female' });
    const c = await createUser(api, { gender: 'female' });
    const d = await createUser(api, { gender: 'female' });
    await t.database.db.deleteFrom('user_activity').where('user_id', 'in', [b.id, c.id, d.id]).execute();
    const bc = await insertChat(t.database.db, a.id, b.id);
    const cc = await insertChat(t.database.db, a.id, c.id);
    const dc = await insertChat(t.database.db, a.id, d.id);
    await setActivity(c.id, 1);
    await setActivity(d.id, 2);
    await t.database.db.updateTable('users').set({ show_activity: false }).where('id', '=', d.id).execute();
    const chats = (await api.get('/api/chats', { token: a.accessToken })).body as Array<{ chat_id: number; partner: Record<string, unknown> }>;
    const partner = (chatId: number) => chats.find((x) => x.chat_id === chatId)!.partner;
    assert.deepEqual(partner(bc.chatId), { user_id: b.id, name: b.name, profile_img_url: null, active_recently: false });
    assert.equal(partner(cc.chatId).active_recently, true);
    assert.equal(partner(dc.chatId).active_recently, null);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compatibilityScore, chartKey, computeChart } from '../../src/saju/index.js';
import { KeyRankings } from '../../src/recommendations/key-rankings.js';
import { PoolCensus } from '../../src/recommendations/pool-census.js';
import { SajuKeyUniverse } from '../../src/recommendations/key-universe.js';
import { RecommendationsService } from '../../src/recommendations/recommendations.service.js';
import { PROFILE_COLUMNS } from '../../src/auth/accounts.repo.js';
import { insertUsers } from '../../scripts/lib/bulk-users.js';
import type { DemoUser } from '../../scripts/lib/demo-users.js';
import type { Gender } from '../../src/db/schema.js';
import { freshDatabase } from '../helpers/database.js';

type Handle = Awaited<ReturnType<typeof freshDatabase>>;
let database: Handle;
let seq = 0;

function person(gender: Gender, interestedIn: Gender[], dayOffset: number, birthTime: string | null = null): DemoUser {
  const birthDate = new Date(Date.UTC(1985, 0, 1 + dayOffset)).toISOString().slice(0, 10);
  return {
    name: `사람${seq}`, gender, birthDate, birthTime, calendar: 'solar', lunarBirthDate: null, interestedIn,
    location: null, job: null, bio: null, sajuKey: chartKey(computeChart({ birthDate, birthTime })),
  };
}

async function add(users: DemoUser[]): Promise<void> {
  await insertUsers(database.db, users, users.map(() => `store${++seq}@example.com`), 'x');
}

const profile = (id: number) => database.db.selectFrom('users').select(PROFILE_COLUMNS).where('id', '=', id).executeTakeFirstOrThrow();

before(async () => {
  database = await freshDatabase();
  // Many men interested in women, few women interested in "other": the caller below is selective.
  await add(Array.from({ length: 120 }, (_, i) => person('male', ['female'], i * 11, i % 5 === 0 ? '09:15' : null)));
  await add([person('female', ['other'], 3000), person('female', ['other'], 3100)]);
  await add([person('other', ['female'], 4000)]);
});
after(async () => database.close());

describe('stored key rankings', () => {
  it('a selective caller whom the kept keys leave short gets the full answer from their pool, without scoring the universe', async () => {
    const universe = new SajuKeyUniverse(database.db);
    const rankings = new KeyRankings(database.db, universe, { keep: 4 });
    const clock = { now: new Date('2036-03-01T03:00:00Z') };
    const service = new RecommendationsService(database.db, rankings, () => clock.now);
    const caller = await profile(123); // the "other" person, interested in women
    const women = await database.db.selectFrom('users').select(['id', 'saju_key']).where('gender', '=', 'female').execute();
    const got = await service.today(caller, 50);
    assert.deepEqual(new Set(got.map((p) => p.user_id)), new Set(women.map((w) => w.id)));
    for (const p of got) assert.equal(p.compatibility_score, compatibilityScore(caller.saju_key, women.find((w) => w.id === p.user_id)!.saju_key));
    const row = await database.db.selectFrom('saju_key_rankings').select(['ranked_scores']).where('saju_key', '=', caller.saju_key).executeTakeFirstOrThrow();
    assert.equal(row.ranked_scores.length, (await rankings.forKey(caller.saju_key)).length, 'the stored ranking was not deepened: the pool answered');
    await database.db.deleteFrom('daily_recommendation_sets').where('user_id', '=', caller.id).execute();
    await database.db.deleteFrom('saju_key_rankings').execute();
  });

  it('when the pool is too large to rank alone, the full universe answers and the stored ranking is deepened', async () => {
    const universe = new SajuKeyUniverse(database.db);
    const rankings = new KeyRankings(database.db, universe, { keep: 4 });
    const clock = { now: new Date('2036-03-02T03:00:00Z') };
    const service = new RecommendationsService(database.db, rankings, () => clock.now, undefined, { poolCap: 1 });
    const caller = await profile(123);
    const women = await database.db.selectFrom('users').select(['id', 'saju_key']).where('gender', '=', 'female').execute();
    const got = await service.today(caller, 50);
    assert.deepEqual(new Set(got.map((p) => p.user_id)), new Set(women.map((w) => w.id)));
    for (const p of got) assert.equal(p.compatibility_score, compatibilityScore(caller.saju_key, women.find((w) => w.id === p.user_id)!.saju_key));
    const row = await database.db.selectFrom('saju_key_rankings').select(['ranked_scores', 'complete']).where('saju_key', '=', caller.saju_key).executeTakeFirstOrThrow();
    assert.ok(row.ranked_scores.length >= 16, `deepened to ${row.ranked_scores.length} keys`);
  });

  it('another process loads the stored ranking, and keys that appeared since are merged in', async () => {
    const caller = await profile(1);
    const first = new KeyRankings(database.db, new SajuKeyUniverse(database.db), { keep: 8 });
    const computed = await first.forKey(caller.saju_key);
    assert.equal(computed.complete, false);

    const newcomer = person('female', ['male'], 7777, '23:40');
    await add([newcomer]);
    const other = new KeyRankings(database.db, new SajuKeyUniverse(database.db), { keep: 8 });
    const loaded = await other.forKey(caller.saju_key);
    const all = await database.db.selectFrom('saju_keys').select('saju_key').execute();
    const brute = all
      .map((k) => ({ k: k.saju_key, s: compatibilityScore(caller.saju_key, k.saju_key) }))
      .sort((a, b) => b.s - a.s || a.k - b.k);
    const floor = loaded.scores[loaded.length - 1]!;
    assert.deepEqual(Array.from(loaded.keys), brute.filter((x) => x.s >= floor).map((x) => x.k), 'exactly the best levels of the grown universe');
    assert.ok(loaded.universeSeq > computed.universeSeq);
  });

  it("the pool census counts only people who accept the seeker's gender", async () => {
    const census = new PoolCensus(database.db);
    await census.load();
    const people = await database.db.selectFrom('users').select(['gender', 'interested_in']).where('discoverable', '=', true).execute();
    const today = '2036-03-01';
    const cases: Array<[Gender, Gender[]]> = [
      ['female', ['male']],
      ['other', ['male']],
      ['other', ['female']],
      ['male', ['female', 'other']],
      ['female', ['female', 'other']],
    ];
    for (const [gender, interestedIn] of cases) {
      const seeker = { id: 0, gender, interested_in: interestedIn, birth_date: '1985-06-01', region: null, preferred_regions: [], age_min: null, age_max: null };
      const fitting = people.filter((p) => interestedIn.includes(p.gender) && p.interested_in.includes(gender)).length;
      assert.equal(census.estimate(seeker, today, 0), fitting, `${gender} seeking ${interestedIn.join('+')}`);
    }
    // Not vacuous: the men (most people here) accept women only.
    assert.equal(census.estimate({ id: 0, gender: 'other', interested_in: ['male'], birth_date: '1985-06-01', region: null, preferred_regions: [], age_min: null, age_max: null }, today, 0), 0);
    assert.ok(census.estimate({ id: 0, gender: 'female', interested_in: ['male'], birth_date: '1985-06-01', region: null, preferred_regions: [], age_min: null, age_max: null }, today, 0)! >= 120);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { client, type Client } from '../helpers/client.js';
import type { TestUser } from '../helpers/factories.js';
import { man, sendRequest, woman } from './helpers.js';

/**
 * Birth data stays private, through the API: before two people match, GET
 * /api/matches/compatibility/{id} never names the other's month or hour pillar characters (the
 * year and day pillars may be named); once they match, the full breakdown names them — with the
 * same score and points either way.
 */
interface Pillar {
  stem: { hanja: string };
  branch: { hanja: string };
}
interface Saju {
  pillars: { year: Pillar; month: Pillar; day: Pillar; hour: Pillar | null };
}
const chars = (p: Pillar | null) => (p ? [p.stem.hanja, p.branch.hanja] : []);

const PEOPLE: [string, string | null, string, string | null][] = [
  ['1990-01-01', '05:30', '1991-04-17', '23:10'],
  ['1992-08-09', null, '1993-11-23', '12:00'],
  ['1994-02-14', '08:45', '1995-06-30', null],
  ['1996-09-05', '17:20', '1988-12-12', '02:05'],
  ['1989-07-21', '10:10', '1997-03-03', '19:40'],
  ['1987-05-05', '14:00', '1999-10-10', '06:15'],
];

describe('compatibility view: unmatched private, matched full', () => {
  let t: TestApp;
  let api: Client;
  before(async () => {
    t = await startTestApp();
    api = client(t.baseUrl);
  });
  after(async () => t.close());

  const saju = async (u: TestUser) => (await api.get('/api/users/me/saju', { token: u.accessToken })).body as Saju;
  const view = async (viewer: TestUser, other: TestUser) => {
    const res = await api.get(`/api/matches/compatibility/${other.id}`, { token: viewer.accessToken });
    assert.equal(res.status, 200, res.text);
    return res.body as { compatibility_score: number; breakdown: { rule: string; points: number; description: string }[]; summary: string };
  };
  const textOf = (v: Awaited<ReturnType<typeof view>>) => [...v.breakdown.map((r) => r.description), v.summary].join('\n');

  let namedSecrets = 0;
  after(() => {
    // Not vacuous: these pairs have month or hour rows, so the matched views did name such characters.
    assert.ok(namedSecrets >= 4, `${namedSecrets} month/hour rows named in the matched views`);
  });

  for (const [i, [aDate, aTime, bDate, bTime]] of PEOPLE.entries()) {
    it(`pair ${i + 1} (${aDate} ${aTime ?? '-'} / ${bDate} ${bTime ?? '-'}): same score, partner's month/hour characters only once matched`, async () => {
      const a = await man(api, { birth_date: aDate, birth_time: aTime });
      const b = await woman(api, { birth_date: bDate, birth_time: bTime });
      const [sa, sb] = await Promise.all([saju(a), saju(b)]);
      const nameable = new Set([...chars(sa.pillars.year), ...chars(sa.pillars.day), ...chars(sb.pillars.year), ...chars(sb.pillars.day)]);
      // The partner's secret characters that no nameable pillar shares (those would be fine to show).
      const secretOf = (s: Saju) => [...chars(s.pillars.month), ...chars(s.pillars.hour)].filter((c) => !nameable.has(c));
      const views = { aSeesB: await view(a, b), bSeesA: await view(b, a) };
      for (const [v, partner] of [[views.aSeesB, sb], [views.bSeesA, sa]] as const) {
        const text = textOf(v);
        for (const c of secretOf(partner)) assert.ok(!text.includes(c), `unmatched view names ${c}:\n${text}`);
        assert.equal(v.breakdown.reduce((s, r) => s + r.points, 0), v.compatibility_score);
      }

      assert.equal((await sendRequest(api, a, b)).status, 201);
      const accepted = await sendRequest(api, b, a);
      assert.equal(accepted.body.status, 'matched', accepted.text);

      const full = { aSeesB: await view(a, b), bSeesA: await view(b, a) };
      for (const [key, partner] of [['aSeesB', sb], ['bSeesA', sa]] as const) {
        const before = views[key];
        const after = full[key];
        assert.equal(after.compatibility_score, before.compatibility_score, 'the same score in both views');
        assert.deepEqual(after.breakdown.map((r) => [r.rule, r.points]), before.breakdown.map((r) => [r.rule, r.points]));
        // The full breakdown names the month and hour branches where a rule between them fired
        // ("월지 子(자)와 辰(진): …"): each such row names the partner's branch.
        const rows = after.breakdown.map((r) => r.description);
        for (const [prefix, pillar] of [['월지', partner.pillars.month], ['시지', partner.pillars.hour]] as const) {
          for (const row of rows.filter((d) => d.startsWith(prefix))) {
            assert.ok(pillar && row.includes(pillar.branch.hanja), `names the partner's ${prefix} ${pillar?.branch.hanja}: ${row}`);
            namedSecrets += 1;
          }
        }
      }
    });
  }
});

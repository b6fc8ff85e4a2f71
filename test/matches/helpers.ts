import type { TestApp } from '../helpers/app.js';
import type { Client } from '../helpers/client.js';
import { createUser, type NewUserInput, type TestUser } from '../helpers/factories.js';
import type { DomainEvents } from '../../src/lib/events.js';

/** Birth dates far apart in the 60-day cycle, so that people get different charts and scores. */
export const BIRTH_DATES = ['1990-01-01', '1991-04-17', '1992-08-09', '1993-11-23', '1994-02-14', '1995-06-30', '1996-09-05', '1988-12-12', '1989-07-21', '1997-03-03'];

export async function man(api: Client, overrides: NewUserInput = {}): Promise<TestUser> {
  return createUser(api, { gender: 'male', ...overrides });
}

export async function woman(api: Client, overrides: NewUserInput = {}): Promise<TestUser> {
  return createUser(api, { gender: 'female', ...overrides });
}

export async function sendRequest(api: Client, from: TestUser, to: TestUser | number) {
  return api.post('/api/matches/request', { token: from.accessToken, body: { receiver_id: typeof to === 'number' ? to : to.id } });
}

export async function recommendations(api: Client, user: TestUser, limit?: number) {
  const query = limit === undefined ? '' : `?limit=${limit}`;
  return api.get(`/api/matches/recommendations${query}`, { token: user.accessToken });
}

export const ids = (list: Array<{ user_id: number }>) => list.map((p) => p.user_id);

/** Collects the payloads of one domain event while a test runs. */
export function recordEvents<K extends keyof DomainEvents>(t: TestApp, name: K): DomainEvents[K][] {
  const seen: DomainEvents[K][] = [];
  t.app.events.subscribe(name, (payload) => seen.push(payload));
  return seen;
}

/** The instant of the next Korean midnight after `at` (Asia/Seoul is UTC+9 without DST). */
export function nextKoreanMidnight(at: Date): Date {
  const kst = new Date(at.getTime() + 9 * 3600_000);
  const midnightKst = Date.UTC(kst.getUTCFullYear(), kst.getUTCMonth(), kst.getUTCDate() + 1);
  return new Date(midnightKst - 9 * 3600_000);
}

import { Agent, request } from 'node:http';
import { sql } from 'kysely';
import { hashPassword } from '../../src/auth/passwords.js';
import type { Db } from '../../src/db/database.js';
import { insertUsers } from '../../scripts/lib/bulk-users.js';
import { DemoPeople } from '../../scripts/lib/demo-users.js';
import { fmt } from './stats.js';

export const DEMO_PASSWORD = 'bench password';

/** Fills a migrated database with `userCount` demo people (bench{n}@example.com, n = user id). */
export async function seedDemoPeople(db: Db, userCount: number, birthTimeShare: number): Promise<void> {
  const people = new DemoPeople(20240601, { birthTimeShare });
  const hash = await hashPassword(DEMO_PASSWORD);
  const batch = 20_000;
  const t0 = performance.now();
  const rebuild = await dropSecondaryIndexes(db);
  let chartMs = 0;
  // Pipelined: the next batch is generated (charts computed) while PostgreSQL inserts this one.
  let inserting: Promise<void> = Promise.resolve();
  for (let from = 0; from < userCount; from += batch) {
    const n = Math.min(batch, userCount - from);
    const c0 = performance.now();
    const users = Array.from({ length: n }, () => people.next());
    chartMs += performance.now() - c0;
    const emails = users.map((_, i) => `bench${from + i + 1}@example.com`);
    await inserting;
    inserting = insertUsers(db, users, emails, hash);
    process.stderr.write(`\rseeding ${(from + n).toLocaleString('en')} / ${userCount.toLocaleString('en')}`);
  }
  await inserting;
  await rebuild();
  const insertedMs = performance.now() - t0;
  await sql`VACUUM ANALYZE users`.execute(db);
  console.log(
    `\nseeded ${userCount.toLocaleString('en')} users in ${fmt(insertedMs / 1000, 1)} s (generating people and charts ` +
      `${fmt(chartMs / 1000, 1)} s of it, overlapped with the inserts), VACUUM ANALYZE ${fmt((performance.now() - t0 - insertedMs) / 1000, 1)} s`,
  );
}

/**
 * The usual bulk-load move: drop the users table's unique constraints and secondary indexes, load,
 * then build them again in one sorted pass each. They are recreated from their own definitions
 * (pg_get_constraintdef / pg_indexes), so the schema ends exactly as the migrations made it.
 */
async function dropSecondaryIndexes(db: Db): Promise<() => Promise<void>> {
  const constraints = await sql<{ name: string; def: string }>`
    SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE conrelid = 'users'::regclass AND contype = 'u'`.execute(db);
  for (const c of constraints.rows) await sql`ALTER TABLE users DROP CONSTRAINT ${sql.id(c.name)}`.execute(db);
  const indexes = await sql<{ name: string; def: string }>`
    SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
    WHERE i.tablename = 'users' AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'users'::regclass)`.execute(db);
  for (const i of indexes.rows) await sql`DROP INDEX ${sql.id(i.name)}`.execute(db);
  return async () => {
    for (const c of constraints.rows) await sql`ALTER TABLE users ADD CONSTRAINT ${sql.id(c.name)} ${sql.raw(c.def)}`.execute(db);
    for (const i of indexes.rows) await sql.raw(i.def).execute(db);
  };
}

/** Logs demo person `id` in through the API. */
export async function login(port: number, id: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench${id}@example.com`, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/**
 * One keep-alive connection pool for the timed calls. The client is part of the measurement: undici's
 * `fetch` spends ≈ 0.1–0.2 ms of CPU per call on WHATWG Request/Response/Headers objects and a
 * body stream (on the bench's core, which PostgreSQL's backends share), so timed calls go through
 * `node:http` with a keep-alive agent, as a mobile client's HTTP stack keeps its connection; the
 * HTTP bench's load generator (autocannon) is lean in the same way.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** Latency in ms of one authenticated GET answered 200 (the body read to its end). */
export function timedGet(port: number, token: string, path = '/api/matches/recommendations?limit=10'): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const ms = performance.now() - t0;
        if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        else resolve(ms);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

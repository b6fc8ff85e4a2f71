import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { DEMO_SAJU_VERSION, type DemoUser } from './demo-users.js';

/**
 * Inserts many users in one statement: one array per column, unnested server side
 * (`INSERT … SELECT FROM unnest(…)`), about a hundred times faster than a row per statement.
 * Works on PostgreSQL and PGlite alike. The users' saju keys reach saju_keys by its trigger.
 */
export async function insertUsers(db: Db, users: readonly DemoUser[], emails: readonly string[], passwordHash: string): Promise<void> {
  if (users.length === 0) return;
  const col = <T>(f: (u: DemoUser) => T) => users.map(f);
  await sql`
    INSERT INTO users (email, password_hash, name, birth_date, gender, location, job, bio, birth_time,
                       birth_calendar, lunar_birth_date, interested_in, saju_key, saju_version,
                       region, preferred_regions, age_min, age_max, discoverable, show_activity)
    SELECT e, ${passwordHash}, n, d::date, g::user_gender, l, j, b, t, c, lu, string_to_array(i, ','), k, ${DEMO_SAJU_VERSION}::int,
           r, string_to_array(pr, ','), amin, amax, disc, act
    FROM unnest(
      ${emails as string[]}::text[], ${col((u) => u.name)}::text[], ${col((u) => u.birthDate)}::text[],
      ${col((u) => u.gender)}::text[], ${col((u) => u.location)}::text[], ${col((u) => u.job)}::text[],
      ${col((u) => u.bio)}::text[], ${col((u) => u.birthTime)}::text[], ${col((u) => u.calendar)}::text[],
      ${col((u) => u.lunarBirthDate)}::text[], ${col((u) => u.interestedIn.join(','))}::text[],
      ${col((u) => u.sajuKey)}::int4[], ${col((u) => u.region ?? null)}::text[], ${col((u) => (u.preferredRegions ?? []).join(','))}::text[],
      ${col((u) => u.ageMin ?? null)}::int2[], ${col((u) => u.ageMax ?? null)}::int2[], ${col((u) => u.discoverable ?? true)}::bool[],
      ${col((u) => u.showActivity ?? true)}::bool[]
    ) AS x(e, n, d, g, l, j, b, t, c, lu, i, k, r, pr, amin, amax, disc, act)`.execute(db);
}

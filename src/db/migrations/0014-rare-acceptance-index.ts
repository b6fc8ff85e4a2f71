import { sql, type Kysely } from 'kysely';

/**
 * The pool of a seeker whose gender few people accept (`other`: at 1M demo users only the 4 %
 * who are `other` themselves accept it). users_partition_idx finds people by the seeker's own
 * conditions (the genders they want, their regions and ages) and tests the other side's
 * acceptance on each entry: for such a seeker it read ~400k entries to keep ~8k (0.66 s of
 * PostgreSQL CPU per first call). This partial index holds only the discoverable people who
 * accept `other`, by region and birth date, with every column the pool query reads (index-only):
 * the same pool in ~20 ms. poolKeys names the condition literally so the planner can use it
 * (src/recommendations/recommendations.repo.ts). `male` and `female` are accepted by about half
 * of everyone: for them the partition index is the selective side.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX users_accepts_other_idx ON users (region, birth_date)
      INCLUDE (gender, saju_key, interested_in, age_min, age_max, preferred_regions)
      WHERE discoverable AND 'other' = ANY(interested_in)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX users_accepts_other_idx`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * `daily_recommendations_visible` (the repeat call of the day's read) plans its query once per
 * connection and keeps that generic plan (`plan_cache_mode = force_generic_plan`, set on the
 * function, so only its own statements are affected).
 *
 * Why: PL/pgSQL caches its statements' plans per connection, but PostgreSQL's plan cache plans the
 * first five executions of a parameterised statement with the actual values (custom plans) before
 * it settles on the generic one. This query's lateral join with its exclusion probes takes ≈ 2.5 ms
 * to plan and ≈ 0.15 ms to run (1,000,000 users), so each new pool connection paid ≈ 3 ms of
 * PostgreSQL CPU on each of its first five repeat calls: with 4 callers at a time on a fresh pool
 * about 1 call in 12 (BENCHMARKS.md, "Recommendations: the repeat call"). The generic plan is the
 * one PostgreSQL chose after those five anyway (the caller's own row and set are found by primary
 * key, each entry by primary key and the pair indexes); forcing it only skips the custom ones.
 *
 * The function's body is unchanged (src/recommendations/daily-set.sql.ts writes the same SET, so a
 * later CREATE OR REPLACE from that file keeps it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER FUNCTION daily_recommendations_visible(integer, date, integer) SET plan_cache_mode = force_generic_plan`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER FUNCTION daily_recommendations_visible(integer, date, integer) RESET plan_cache_mode`.execute(db);
}

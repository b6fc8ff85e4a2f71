import { sql, type Kysely } from 'kysely';

/**
 * Matching: the race-proof constraints on matches, the index that finds people by saju chart,
 * the universe of chart keys with a per-key ranking cache, and today's recommendation sets.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per unordered pair: two people requesting each other at the same instant cannot
  // both insert; the loser sees the winner's row and turns it into a match.
  await sql`ALTER TABLE matches ADD CONSTRAINT matches_not_self CHECK (requester_id <> receiver_id)`.execute(db);
  await sql`
    CREATE UNIQUE INDEX matches_pair_uidx
      ON matches (LEAST(requester_id, receiver_id), GREATEST(requester_id, receiver_id))`.execute(db);
  // The daily request cap counts a requester's rows since the Korean day's start; also "sent" lists.
  await sql`CREATE INDEX matches_requester_created_idx ON matches (requester_id, created_at)`.execute(db);

  // Recommendations fetch people by chart key (the ranking is per key, not per person). The
  // included columns let the eligibility test run on the index alone.
  await sql`CREATE INDEX users_saju_key_gender_idx ON users (saju_key, gender) INCLUDE (id, interested_in)`.execute(db);

  // Every chart key any user has, in order of first appearance (seq): a process learns the keys
  // added since it last looked with one index range scan. Kept by triggers so that bulk loads,
  // registrations and any later birth-data edit all count. Keys are never removed (a key without
  // users just yields nobody).
  await sql`
    CREATE TABLE saju_keys (
      saju_key integer PRIMARY KEY,
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE
    )`.execute(db);
  await sql`INSERT INTO saju_keys (saju_key) SELECT DISTINCT saju_key FROM users ORDER BY 1`.execute(db);
  await sql`
    CREATE FUNCTION saju_keys_from_inserted_users() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO saju_keys (saju_key) SELECT DISTINCT saju_key FROM inserted_users ORDER BY 1 ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`.execute(db);
  // Statement level with a transition table: a million-row COPY adds its keys in one statement.
  await sql`
    CREATE TRIGGER users_saju_keys_insert AFTER INSERT ON users
      REFERENCING NEW TABLE AS inserted_users
      FOR EACH STATEMENT EXECUTE FUNCTION saju_keys_from_inserted_users()`.execute(db);
  await sql`
    CREATE FUNCTION saju_keys_from_updated_user() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO saju_keys (saju_key) VALUES (NEW.saju_key) ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER users_saju_keys_update AFTER UPDATE OF saju_key ON users
      FOR EACH ROW WHEN (OLD.saju_key IS DISTINCT FROM NEW.saju_key)
      EXECUTE FUNCTION saju_keys_from_updated_user()`.execute(db);

  // The best-scoring chart keys for one chart key (a cache: derived from saju_keys and the saju
  // engine, safe to truncate). universe_seq is the last saju_keys.seq it has seen. The keys are
  // packed int32 little-endian and the scores one byte each: read back without parsing arrays.
  await sql`
    CREATE TABLE saju_key_rankings (
      saju_key integer PRIMARY KEY,
      algorithm_version integer NOT NULL,
      universe_seq bigint NOT NULL,
      complete boolean NOT NULL,
      ranked_keys bytea NOT NULL,
      ranked_scores bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // Today's recommendations (오늘의 추천), fixed by the first call of the Korean day. The set row
  // marks "computed" even when it is empty; its entries are the people in their order.
  await sql`
    CREATE TABLE daily_recommendation_sets (
      user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kst_date date NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, kst_date)
    )`.execute(db);
  await sql`
    CREATE TABLE daily_recommendations (
      user_id integer NOT NULL,
      kst_date date NOT NULL,
      position smallint NOT NULL,
      candidate_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      score smallint NOT NULL,
      PRIMARY KEY (user_id, kst_date, position),
      FOREIGN KEY (user_id, kst_date) REFERENCES daily_recommendation_sets (user_id, kst_date)
        ON DELETE CASCADE ON UPDATE CASCADE
    )`.execute(db);
  // Deleting an account removes it from everyone's sets through this index, not a full scan.
  await sql`CREATE INDEX daily_recommendations_candidate_id_idx ON daily_recommendations (candidate_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE daily_recommendations, daily_recommendation_sets, saju_key_rankings`.execute(db);
  await sql`DROP TRIGGER users_saju_keys_update ON users`.execute(db);
  await sql`DROP TRIGGER users_saju_keys_insert ON users`.execute(db);
  await sql`DROP FUNCTION saju_keys_from_updated_user(), saju_keys_from_inserted_users()`.execute(db);
  await sql`DROP TABLE saju_keys`.execute(db);
  await sql`DROP INDEX users_saju_key_gender_idx, matches_requester_created_idx, matches_pair_uidx`.execute(db);
  await sql`ALTER TABLE matches DROP CONSTRAINT matches_not_self`.execute(db);
}

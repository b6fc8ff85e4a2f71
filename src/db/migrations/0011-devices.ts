import { sql, type Kysely } from 'kysely';

/**
 * Push devices and the preview preference.
 *
 * - `devices`: one row per push address: an FCM or APNs token, or a Web Push subscription's
 *   endpoint (in `token`) with its `p256dh`/`auth` keys. A push address reaches one phone or browser,
 *   so it is unique over all users: registering it again moves it to the new owner and session
 *   (someone who logs in on a phone that another account left logged in gets the pushes, not the
 *   other account). `session_id`: the login session that registered it; deleting the user or the
 *   session row cascades, and revoking the session deletes its devices (devices.sql.ts trigger).
 * - `users.push_previews`: whether a `new_message` push shows the message's first characters.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN push_previews boolean NOT NULL DEFAULT true`.execute(db);
  await sql`
    CREATE TABLE devices (
      id serial PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      session_id integer NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
      platform varchar(8) NOT NULL CHECK (platform IN ('web', 'fcm', 'apns')),
      token text NOT NULL CHECK (length(token) BETWEEN 1 AND 4096),
      p256dh text,
      auth text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT devices_web_keys_check CHECK ((platform = 'web') = (p256dh IS NOT NULL AND auth IS NOT NULL)),
      CONSTRAINT devices_platform_token_key UNIQUE (platform, token)
    )`.execute(db);
  await sql`CREATE INDEX devices_user_idx ON devices (user_id)`.execute(db);
  await sql`CREATE INDEX devices_session_idx ON devices (session_id)`.execute(db);
  await sql.raw(DEVICES_FOLLOW_SESSION_FUNCTION_0011).execute(db);
  await sql.raw(DEVICES_FOLLOW_SESSION_TRIGGER_0011).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER auth_sessions_revoked_devices ON auth_sessions`.execute(db);
  await sql`DROP FUNCTION devices_follow_session()`.execute(db);
  await sql`DROP TABLE devices`.execute(db);
  await sql`ALTER TABLE users DROP COLUMN push_previews`.execute(db);
}

// Frozen: the exact text this migration ran (from src/notifications/devices.sql.ts as of ca2cb8a). The file in src/ may evolve;
// a change to it needs a new migration, never an edit here.
const DEVICES_FOLLOW_SESSION_FUNCTION_0011 = `
CREATE OR REPLACE FUNCTION devices_follow_session() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM devices WHERE session_id = NEW.id;
  RETURN NULL;
END
$fn$`;

const DEVICES_FOLLOW_SESSION_TRIGGER_0011 = `
CREATE TRIGGER auth_sessions_revoked_devices
  AFTER UPDATE OF revoked_at ON auth_sessions
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION devices_follow_session()`;

/**
 * `devices_follow_session`: a device belongs to the login session that registered it, and a session
 * that ends (logout, revocation, logout-all, a password change, a suspension, refresh-token reuse)
 * takes its devices with it. A trigger rather than a DELETE beside every revocation: sessions are
 * revoked from several features (auth, sessions, moderation), and a new way of ending a session
 * must not leave a phone receiving someone's pushes. Migration 0011 created it from a frozen copy of this
 * text; a change here needs a new migration with its own copy.
 */
export const DEVICES_FOLLOW_SESSION_FUNCTION = `
CREATE OR REPLACE FUNCTION devices_follow_session() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM devices WHERE session_id = NEW.id;
  RETURN NULL;
END
$fn$`;

export const DEVICES_FOLLOW_SESSION_TRIGGER = `
CREATE TRIGGER auth_sessions_revoked_devices
  AFTER UPDATE OF revoked_at ON auth_sessions
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION devices_follow_session()`;

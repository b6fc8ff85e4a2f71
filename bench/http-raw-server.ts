import { createServer } from 'node:http';
import { createVerifier } from 'fast-jwt';
import pg from 'pg';

/**
 * The baseline for `npm run bench -- http`: raw node:http + pg doing the same work as the app's
 * GET /api/users/me — verify the HS256 JWT (same library, same cache), one select of the profile
 * joined to its live session, JSON out.
 */
pg.types.setTypeParser(1082, (v: string) => v);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// As the app (src/auth/tokens.ts): verified tokens remembered by their exact text.
const verify = createVerifier({ key: process.env.JWT_SECRET!, algorithms: ['HS256'], cache: 10_000, cacheKeyBuilder: (token) => token });
const SQL =
  'select "u"."id", "u"."email", "u"."name", "u"."birth_date", "u"."gender", "u"."location", "u"."job", "u"."bio", ' +
  '"u"."profile_img_url", "u"."created_at", "u"."birth_time", "u"."birth_calendar", "u"."is_leap_month", ' +
  '"u"."lunar_birth_date", "u"."interested_in", "u"."saju_key", "u"."region", "u"."preferred_regions", "u"."age_min", ' +
  '"u"."age_max", "u"."discoverable", "u"."show_activity", "u"."push_previews" from "users" as "u" inner join "auth_sessions" as "s" ' +
  'on "s"."user_id" = "u"."id" where "s"."id" = $1 and "u"."id" = $2 and "s"."revoked_at" is null';

function send(res: import('node:http').ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const server = createServer(async (req, res) => {
  try {
    const header = req.headers.authorization;
    if (req.url !== '/api/users/me' || !header?.startsWith('Bearer ')) return send(res, 401, { error: 'Unauthorized' });
    let claims: Record<string, unknown>;
    try {
      claims = verify(header.slice(7));
    } catch {
      return send(res, 401, { error: 'Unauthorized' });
    }
    // A named prepared statement, as the app's session check (parsed and planned once per connection).
    const { rows } = await pool.query({ name: 'session_user', text: SQL, values: [claims.sid, Number(claims.sub)] });
    const u = rows[0];
    if (!u) return send(res, 401, { error: 'Unauthorized' });
    send(res, 200, {
      user_id: u.id,
      name: u.name,
      email: u.email,
      birth_date: u.birth_calendar === 'lunar' && u.lunar_birth_date ? u.lunar_birth_date : u.birth_date,
      gender: u.gender,
      location: u.location,
      job: u.job,
      bio: u.bio,
      profile_img_url: u.profile_img_url,
      created_at: u.created_at ? u.created_at.toISOString() : null,
      birth_time: u.birth_time,
      birth_calendar: u.birth_calendar,
      is_leap_month: u.is_leap_month,
      solar_birth_date: u.birth_date,
      interested_in: u.interested_in,
      region: u.region,
      preferred_regions: u.preferred_regions,
      age_min: u.age_min,
      age_max: u.age_max,
      discoverable: u.discoverable,
      show_activity: u.show_activity,
      push_previews: u.push_previews,
    });
  } catch {
    send(res, 500, { error: 'Internal server error' });
  }
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('LISTENING'));
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));

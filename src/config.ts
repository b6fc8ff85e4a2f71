import { createECDH, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
// Push providers (FCM, APNs): their keys are checked at start-up.
import { createPrivateKey } from 'node:crypto';

/**
 * Reading the environment. Each reader takes a set value (trimmed where noted) and returns what
 * it means, or calls `refuse` with what was expected; `readEnv` names the variable. Written here
 * rather than with a schema library: configuration is read once at start-up, and a library kept
 * loaded for it (zod: ≈ 3 MB of heap) is marked by every Mark-Compact of the process's life
 * (BENCHMARKS.md, "Chat: a smaller heap").
 */
class Refused extends Error {}
const refuse = (message: string): never => {
  throw new Refused(message);
};
type Reader<T> = (value: string) => T;

const text =
  (min = 1, message = `expected at least ${min} characters`): Reader<string> =>
  (v) =>
    v.length >= min ? v : refuse(message);
const matching =
  (pattern: RegExp, message: string): Reader<string> =>
  (v) =>
    pattern.test(v) ? v : refuse(message);
const oneOf =
  <const T extends string>(...values: T[]): Reader<T> =>
  (v) =>
    (values as string[]).includes(v) ? (v as T) : refuse(`expected one of ${values.join(', ')}`);
const flag: Reader<boolean> = (v) => oneOf('true', 'false')(v) === 'true';

/** Whole numbers from min to max, in decimal (surrounding spaces allowed). */
const int =
  (min: number, max: number): Reader<number> =>
  (v) => {
    const n = /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : refuse(`expected a whole number from ${min} to ${max}`);
  };

/** An absolute URL (scheme and, for http(s), a host), as the drivers and clients given it expect. */
function isUrl(v: string): boolean {
  if (/\s/.test(v) || !URL.canParse(v)) return false;
  const parsed = new URL(v);
  return !/^https?:$/.test(parsed.protocol) || parsed.hostname !== '';
}
const url: Reader<string> = (v) => (isUrl(v) ? v : refuse('expected a URL'));

/** Seconds, from "900", "900s", "15m", "2h" or "14d". */
const duration: Reader<number> = (raw) => {
  const v = raw.trim();
  if (!/^\d+(s|m|h|d)?$/.test(v)) refuse('expected a duration such as 900, 15m, 2h or 14d');
  const unit = v.at(-1);
  const seconds = Number.parseInt(v, 10) * (unit === 'm' ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : 1);
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : refuse('expected a positive duration');
};

/**
 * MODERATOR_EMAILS: comma-separated addresses, compared case-insensitively (stored lower-cased and
 * trimmed, as registration stores emails). Empty items (a trailing comma) are ignored; anything
 * that is not an address (no single @ with text on both sides, or whitespace inside) is refused.
 */
const moderatorEmails: Reader<string[]> = (v) => {
  const list = v
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  return list.every((e) => /^[^\s@]+@[^\s@]+$/.test(e) && e.length <= 255) ? list : refuse('expected comma-separated email addresses');
};

/** An IPv4/IPv6 address, or one with a /prefix that fits its family. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `false` (the client address is the TCP peer), a number of proxy hops in front of
 * the server (`1`: the address the nearest proxy appended to X-Forwarded-For), or a comma-separated
 * list of trusted proxy addresses/CIDRs. `true` — trust every hop, so the left-most entry, which
 * the client writes itself — would let anyone choose their address for every per-address limit.
 */
const trustProxy: Reader<TrustProxy> = (raw) => {
  const v = raw.trim();
  if (v.toLowerCase() === 'true') {
    refuse('true is refused (it trusts the client-written X-Forwarded-For); use a hop count such as 1, or a list of proxy addresses/CIDRs');
  }
  if (v !== 'false' && !/^\d{1,2}$/.test(v) && !v.split(',').every((e) => isAddressOrCidr(e.trim()))) {
    refuse('expected false, a number of proxy hops, or comma-separated proxy addresses/CIDRs');
  }
  if (v === 'false' || v === '0') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return Object.freeze(v.split(',').map((e) => e.trim()));
};

const webConcurrency: Reader<number> = (v) => (v.trim() === 'auto' ? availableParallelism() : int(1, 64)(v));

/**
 * Every variable, read: problems are gathered (one line each, naming the variable) and refused
 * together, so a deployment sees all of them at once.
 */
function readEnv(env: Readonly<Record<string, string | undefined>>) {
  const problems: string[] = [];
  function read<T>(name: string, reader: Reader<T>): T | undefined;
  function read<T>(name: string, reader: Reader<T>, fallback: string): T;
  function read<T>(name: string, reader: Reader<T>, fallback?: string): T | undefined {
    const value = env[name] ?? fallback;
    if (value === undefined) return undefined;
    try {
      return reader(value);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      problems.push(`  ${name}: ${error.message}`);
      return undefined as T;
    }
  }
  const tenCharacters = (what: string) => matching(/^[A-Z0-9]{10}$/, `expected the 10-character ${what} id`);
  const base64url = matching(/^[A-Za-z0-9_-]+$/, 'expected base64url');
  const e = {
    NODE_ENV: read('NODE_ENV', oneOf('development', 'production', 'test'), 'development'),
    PORT: read('PORT', int(0, 65535), '3000'),
    HOST: read('HOST', text(), '0.0.0.0'),
    DATABASE_URL: read('DATABASE_URL', url),
    DATABASE_POOL_SIZE: read('DATABASE_POOL_SIZE', int(1, 1000), '10'),
    DATABASE_STATEMENT_TIMEOUT_MS: read('DATABASE_STATEMENT_TIMEOUT_MS', int(0, 3_600_000), '15000'),
    DATA_DIR: read('DATA_DIR', text(), './data'),
    REDIS_URL: read('REDIS_URL', url),
    // ── Push providers FCM and APNs (issue 14; pushProviderSettings below) ──
    FCM_SERVICE_ACCOUNT_FILE: read('FCM_SERVICE_ACCOUNT_FILE', text()),
    FCM_SERVICE_ACCOUNT_JSON: read('FCM_SERVICE_ACCOUNT_JSON', text()),
    FCM_ENDPOINT: read('FCM_ENDPOINT', url, 'https://fcm.googleapis.com'),
    APNS_KEY_FILE: read('APNS_KEY_FILE', text()),
    APNS_KEY: read('APNS_KEY', text()),
    APNS_KEY_ID: read('APNS_KEY_ID', tenCharacters('key')),
    APNS_TEAM_ID: read('APNS_TEAM_ID', tenCharacters('team')),
    APNS_TOPIC: read('APNS_TOPIC', matching(/^[A-Za-z0-9.-]+$/, "expected the app's bundle id")),
    APNS_ENDPOINT: read('APNS_ENDPOINT', url, 'https://api.push.apple.com'),
    // ── end of push providers ──
    JWT_SECRET: read('JWT_SECRET', text(32, 'must be at least 32 characters')),
    ACCESS_TOKEN_TTL: read('ACCESS_TOKEN_TTL', duration, '15m'),
    REFRESH_TOKEN_TTL: read('REFRESH_TOKEN_TTL', duration, '14d'),
    REFRESH_REUSE_GRACE_SECONDS: read('REFRESH_REUSE_GRACE_SECONDS', int(0, 3600), '10'),
    MIN_AGE_YEARS: read('MIN_AGE_YEARS', int(0, 120), '19'),
    MATCH_REQUESTS_PER_DAY: read('MATCH_REQUESTS_PER_DAY', int(1, 10000), '30'),
    AUTH_RATE_LIMIT_PER_IP: read('AUTH_RATE_LIMIT_PER_IP', int(1, 1_000_000), '30'),
    AUTH_RATE_LIMIT_PER_EMAIL: read('AUTH_RATE_LIMIT_PER_EMAIL', int(1, 1_000_000), '10'),
    AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: read('AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS', int(1, 1_000_000), '5'),
    AUTH_RATE_LIMIT_WINDOW_SECONDS: read('AUTH_RATE_LIMIT_WINDOW_SECONDS', int(1, 86400), '60'),
    SHUTDOWN_TIMEOUT_MS: read('SHUTDOWN_TIMEOUT_MS', int(100, 600_000), '10000'),
    TRUST_PROXY: read('TRUST_PROXY', trustProxy, 'false'),
    METRICS_TOKEN: read('METRICS_TOKEN', text(16, 'must be at least 16 characters')),
    SOCKETS_PER_USER: read('SOCKETS_PER_USER', int(1, 1000), '10'),
    PROFILE_VIEWS_PER_HOUR: read('PROFILE_VIEWS_PER_HOUR', int(1, 1_000_000), '300'),
    LOG_LEVEL: read('LOG_LEVEL', oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), 'info'),
    MODERATOR_EMAILS: read('MODERATOR_EMAILS', moderatorEmails, ''),
    VAPID_PUBLIC_KEY: read('VAPID_PUBLIC_KEY', base64url),
    VAPID_PRIVATE_KEY: read('VAPID_PRIVATE_KEY', base64url),
    VAPID_SUBJECT: read(
      'VAPID_SUBJECT',
      matching(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/[^\s]+)$/, 'expected a mailto: or https: URL'),
    ),
    PUSH_ALLOW_INSECURE_ENDPOINTS: read('PUSH_ALLOW_INSECURE_ENDPOINTS', flag, 'false'),
    PUSH_WORKERS_IN_PROCESS: read('PUSH_WORKERS_IN_PROCESS', flag, 'true'),
    PUSH_WORKER_CONCURRENCY: read('PUSH_WORKER_CONCURRENCY', int(1, 100), '4'),
    DAILY_PICKS_HOUR: read('DAILY_PICKS_HOUR', int(0, 23), '12'),
    WEB_CONCURRENCY: read('WEB_CONCURRENCY', webConcurrency, '1'),
  };
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return e;
}

type Env = ReturnType<typeof readEnv>;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  /** Unset: the embedded PGlite database under dataDir. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL connections per process. */
  readonly databasePoolSize: number;
  /** PostgreSQL cancels a statement running longer (0: never); migrations have none. */
  readonly databaseStatementTimeoutMs: number;
  readonly dataDir: string;
  readonly redisUrl: string | undefined;
  // ── Push providers FCM and APNs (issue 14) ──
  /** FCM HTTP v1; undefined when no service account is configured (no pushes to FCM devices). */
  readonly fcm: FcmSettings | undefined;
  /** APNs token-based; undefined when no .p8 key is configured (no pushes to APNs devices). */
  readonly apns: ApnsSettings | undefined;
  // ── end of push providers ──
  readonly jwtSecret: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly minAgeYears: number;
  readonly matchRequestsPerDay: number;
  /** perEmail and perEmailAddress count failed logins only (per email, and per email and client address). */
  readonly authRateLimit: {
    readonly perIp: number;
    readonly perEmail: number;
    readonly perEmailAddress: number;
    readonly windowSeconds: number;
  };
  readonly shutdownTimeoutMs: number;
  /** false, proxy hops, or trusted proxy addresses/CIDRs (never `true`: see TRUST_PROXY). */
  readonly trustProxy: TrustProxy;
  /** Bearer token /metrics requires; unset: open outside production, 404 in production. */
  readonly metricsToken: string | undefined;
  /** Sockets one user may hold at once across every process; a new one disconnects the oldest. */
  readonly socketsPerUser: number;
  /** Public profile and compatibility views together, per user per hour. */
  readonly profileViewsPerHour: number;
  readonly logLevel: string;
  /** API processes to run (node:cluster); > 1 needs DATABASE_URL and REDIS_URL. */
  readonly webConcurrency: number;
  /** Lower-cased emails of the moderators' accounts (MODERATOR_EMAILS); read once at start-up. */
  readonly moderatorEmails: readonly string[];
  readonly push: PushConfig;
}

export interface VapidKeys {
  /** base64url: the uncompressed P-256 public point (65 bytes), as web-push prints it. */
  readonly publicKey: string;
  /** base64url: the private scalar (32 bytes). */
  readonly privateKey: string;
  /** mailto: or https: contact sent in the VAPID JWT (`sub`). */
  readonly subject: string;
}

export interface PushConfig {
  readonly vapid: VapidKeys;
  /** Tests only (refused in production): Web Push endpoints over http and on private addresses. */
  readonly allowInsecureEndpoints: boolean;
  /** Whether the API process runs push workers (false: `npm run worker` runs them elsewhere). */
  readonly workersInProcess: boolean;
  /** Pushes one worker process sends at once. */
  readonly workerConcurrency: number;
  /** The Korean hour (0–23) of the daily_picks push. */
  readonly dailyPicksHour: number;
}

export type TrustProxy = false | number | readonly string[];

export class ConfigError extends Error {}

/**
 * Outside production a missing JWT_SECRET is generated once and kept in the data dir, so tokens
 * survive a restart without anyone ever running on a secret written in the source.
 */
function localJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // not created yet
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

const LOCAL_VAPID_SUBJECT = 'mailto:push@localhost.localdomain';

/** The key pair's checks: what a push service would refuse, refused at start-up instead. */
function vapidProblem(publicKey: string, privateKey: string): string | null {
  const pub = Buffer.from(publicKey, 'base64url');
  const priv = Buffer.from(privateKey, 'base64url');
  if (pub.length !== 65 || pub[0] !== 4) return 'VAPID_PUBLIC_KEY: expected the 65-byte uncompressed P-256 point, base64url';
  if (priv.length !== 32) return 'VAPID_PRIVATE_KEY: expected the 32-byte P-256 private key, base64url';
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(priv);
  } catch {
    return 'VAPID_PRIVATE_KEY: not a valid P-256 private key';
  }
  if (!ecdh.getPublicKey().equals(pub)) return 'VAPID_PUBLIC_KEY: does not belong to VAPID_PRIVATE_KEY';
  return null;
}

/**
 * Outside production, missing VAPID keys are generated once and kept in the data dir (as the JWT
 * secret is): browsers' subscriptions are bound to the public key, so it must survive restarts.
 */
function localVapidKeys(dataDir: string): { publicKey: string; privateKey: string } {
  const file = join(dataDir, 'vapid-keys.json');
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { publicKey?: unknown; privateKey?: unknown };
    if (typeof stored.publicKey === 'string' && typeof stored.privateKey === 'string') {
      // Files written before keys were padded may hold a 31-byte key (see fullPrivateKey).
      const keys = { publicKey: stored.publicKey, privateKey: fullPrivateKey(Buffer.from(stored.privateKey, 'base64url')) };
      if (!vapidProblem(keys.publicKey, keys.privateKey)) {
        if (keys.privateKey !== stored.privateKey) writeFileSync(file, JSON.stringify(keys) + '\n', { mode: 0o600 });
        return keys;
      }
    }
  } catch {
    // not created yet
  }
  mkdirSync(dataDir, { recursive: true });
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: fullPrivateKey(ecdh.getPrivateKey()) };
  writeFileSync(file, JSON.stringify(keys) + '\n', { mode: 0o600 });
  return keys;
}

/**
 * The private key as its full 32 bytes, base64url. `ECDH#getPrivateKey()` drops leading zero
 * bytes (one key in 256 comes out as 31 bytes), which the 32-byte check — and web-push — refuse:
 * such a key was regenerated at every start, and browsers' subscriptions, bound to the public key,
 * broke with it.
 */
function fullPrivateKey(key: Buffer): string {
  return (key.length < 32 ? Buffer.concat([Buffer.alloc(32 - key.length), key]) : key).toString('base64url');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const e = readEnv(cleaned);
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
  }
  if (e.NODE_ENV === 'production' && e.PUSH_ALLOW_INSECURE_ENDPOINTS) {
    throw new ConfigError('Invalid configuration:\n  PUSH_ALLOW_INSECURE_ENDPOINTS: not allowed when NODE_ENV=production');
  }
  if (e.NODE_ENV === 'production' && (!e.VAPID_PUBLIC_KEY || !e.VAPID_PRIVATE_KEY || !e.VAPID_SUBJECT)) {
    throw new ConfigError(
      'Invalid configuration:\n  VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT: required when NODE_ENV=production',
    );
  }
  if ((e.VAPID_PUBLIC_KEY === undefined) !== (e.VAPID_PRIVATE_KEY === undefined)) {
    throw new ConfigError('Invalid configuration:\n  VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither');
  }
  const problem = e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY ? vapidProblem(e.VAPID_PUBLIC_KEY, e.VAPID_PRIVATE_KEY) : null;
  if (problem) throw new ConfigError(`Invalid configuration:\n  ${problem}`);
  if (e.WEB_CONCURRENCY > 1 && (!e.DATABASE_URL || !e.REDIS_URL)) {
    // PGlite lives inside one process, and sockets and rate limits of several processes meet in Redis.
    throw new ConfigError('Invalid configuration:\n  WEB_CONCURRENCY: more than 1 process needs DATABASE_URL and REDIS_URL');
  }
  const dataDir = resolve(e.DATA_DIR);
  const pushProviders = pushProviderSettings(e);
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    dataDir,
    redisUrl: e.REDIS_URL,
    fcm: pushProviders.fcm,
    apns: pushProviders.apns,
    jwtSecret: e.JWT_SECRET ?? localJwtSecret(dataDir),
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    minAgeYears: e.MIN_AGE_YEARS,
    matchRequestsPerDay: e.MATCH_REQUESTS_PER_DAY,
    authRateLimit: Object.freeze({
      perIp: e.AUTH_RATE_LIMIT_PER_IP,
      perEmail: e.AUTH_RATE_LIMIT_PER_EMAIL,
      perEmailAddress: e.AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS,
      windowSeconds: e.AUTH_RATE_LIMIT_WINDOW_SECONDS,
    }),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN,
    socketsPerUser: e.SOCKETS_PER_USER,
    profileViewsPerHour: e.PROFILE_VIEWS_PER_HOUR,
    logLevel: e.LOG_LEVEL,
    webConcurrency: e.WEB_CONCURRENCY,
    moderatorEmails: Object.freeze([...new Set(e.MODERATOR_EMAILS)]),
    push: Object.freeze({
      vapid: Object.freeze({
        ...(e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY
          ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY }
          : localVapidKeys(dataDir)),
        subject: e.VAPID_SUBJECT ?? LOCAL_VAPID_SUBJECT,
      }),
      allowInsecureEndpoints: e.PUSH_ALLOW_INSECURE_ENDPOINTS,
      workersInProcess: e.PUSH_WORKERS_IN_PROCESS,
      workerConcurrency: e.PUSH_WORKER_CONCURRENCY,
      dailyPicksHour: e.DAILY_PICKS_HOUR,
    }),
  });
}

// ── Push providers FCM and APNs (issue 14) ──────────────────────────────────────────────────

export interface FcmSettings {
  /** From the service account's key file (FCM_SERVICE_ACCOUNT_FILE or FCM_SERVICE_ACCOUNT_JSON). */
  readonly serviceAccount: {
    readonly projectId: string;
    readonly clientEmail: string;
    readonly privateKey: string;
    readonly privateKeyId: string | undefined;
    readonly tokenUri: string;
  };
  /** FCM_ENDPOINT, default https://fcm.googleapis.com. */
  readonly endpoint: string;
}

export interface ApnsSettings {
  /** The .p8 signing key, PEM (APNS_KEY_FILE or APNS_KEY). */
  readonly key: string;
  readonly keyId: string;
  readonly teamId: string;
  /** The app's bundle id. */
  readonly topic: string;
  /** APNS_ENDPOINT, default https://api.push.apple.com (sandbox: https://api.sandbox.push.apple.com). */
  readonly endpoint: string;
}

interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id: string | undefined;
  token_uri: string;
}

/** The fields of a Firebase service account key file that FCM needs, or what is wrong with them. */
function serviceAccountOf(json: unknown): ServiceAccount | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'expected a JSON object';
  const o = json as Record<string, unknown>;
  const problems: string[] = [];
  const field = (name: string, min: number, optional = false): string | undefined => {
    const v = o[name];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v.length < min) problems.push(`${name}: ${v === undefined ? 'required' : `expected a string of at least ${min} characters`}`);
    return typeof v === 'string' ? v : undefined;
  };
  if (o.type !== undefined && o.type !== 'service_account') problems.push('type: expected service_account');
  const account = {
    project_id: field('project_id', 1)!,
    client_email: field('client_email', 3)!,
    private_key: field('private_key', 1)!,
    private_key_id: field('private_key_id', 1, true),
    token_uri: field('token_uri', 1, true) ?? 'https://oauth2.googleapis.com/token',
  };
  if (!problems.some((p) => p.startsWith('token_uri')) && !isUrl(account.token_uri)) problems.push('token_uri: expected a URL');
  return problems.length > 0 ? problems.join('; ') : account;
}

/**
 * Each provider is all or nothing: one that is half configured (a key without its id, a topic
 * without a key…) is refused at start-up with what is missing, rather than failing every push
 * later. The keys are parsed here too, so a truncated PEM or a key of the wrong kind stops the
 * process before it takes traffic.
 */
function pushProviderSettings(e: Env): { fcm: FcmSettings | undefined; apns: ApnsSettings | undefined } {
  const refuse = (line: string): never => {
    throw new ConfigError(`Invalid configuration:\n  ${line}`);
  };
  const production = e.NODE_ENV === 'production';
  const secureInProduction = (name: string, url: string) => {
    if (production && !url.startsWith('https:')) refuse(`${name}: must be an https URL when NODE_ENV=production`);
  };

  let fcm: FcmSettings | undefined;
  if (e.FCM_SERVICE_ACCOUNT_FILE && e.FCM_SERVICE_ACCOUNT_JSON) refuse('FCM_SERVICE_ACCOUNT_FILE, FCM_SERVICE_ACCOUNT_JSON: set one, not both');
  const accountSource = e.FCM_SERVICE_ACCOUNT_FILE ? 'FCM_SERVICE_ACCOUNT_FILE' : 'FCM_SERVICE_ACCOUNT_JSON';
  const accountText = e.FCM_SERVICE_ACCOUNT_FILE ? readSetting(accountSource, e.FCM_SERVICE_ACCOUNT_FILE, refuse) : e.FCM_SERVICE_ACCOUNT_JSON;
  if (accountText !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(accountText);
    } catch {
      refuse(`${accountSource}: not JSON (expected the service account key file from the Firebase console)`);
    }
    const account = serviceAccountOf(json);
    if (typeof account === 'string') {
      refuse(`${accountSource}: not a service account key (${account})`);
    } else {
      if (keyType(account.private_key) !== 'rsa') refuse(`${accountSource}: private_key is not an RSA private key in PEM`);
      secureInProduction(`${accountSource} token_uri`, account.token_uri);
      secureInProduction('FCM_ENDPOINT', e.FCM_ENDPOINT);
      fcm = Object.freeze({
        serviceAccount: Object.freeze({
          projectId: account.project_id,
          clientEmail: account.client_email,
          privateKey: account.private_key,
          privateKeyId: account.private_key_id,
          tokenUri: account.token_uri,
        }),
        endpoint: e.FCM_ENDPOINT,
      });
    }
  }

  let apns: ApnsSettings | undefined;
  if (e.APNS_KEY_FILE && e.APNS_KEY) refuse('APNS_KEY_FILE, APNS_KEY: set one, not both');
  const apnsSet = [e.APNS_KEY_FILE ?? e.APNS_KEY, e.APNS_KEY_ID, e.APNS_TEAM_ID, e.APNS_TOPIC];
  if (apnsSet.some((v) => v !== undefined)) {
    const missing = [
      e.APNS_KEY_FILE === undefined && e.APNS_KEY === undefined ? 'APNS_KEY_FILE (or APNS_KEY)' : undefined,
      e.APNS_KEY_ID === undefined ? 'APNS_KEY_ID' : undefined,
      e.APNS_TEAM_ID === undefined ? 'APNS_TEAM_ID' : undefined,
      e.APNS_TOPIC === undefined ? 'APNS_TOPIC' : undefined,
    ].filter((v) => v !== undefined);
    if (missing.length > 0) refuse(`APNs is half configured: ${missing.join(', ')} missing (set all of them, or none)`);
    const keySource = e.APNS_KEY_FILE ? 'APNS_KEY_FILE' : 'APNS_KEY';
    const key = e.APNS_KEY_FILE ? readSetting(keySource, e.APNS_KEY_FILE, refuse) : e.APNS_KEY!.replace(/\\n/g, '\n');
    if (keyType(key) !== 'ec-prime256v1') refuse(`${keySource}: not a P-256 private key in PEM (the .p8 file from Apple)`);
    secureInProduction('APNS_ENDPOINT', e.APNS_ENDPOINT);
    apns = Object.freeze({ key, keyId: e.APNS_KEY_ID!, teamId: e.APNS_TEAM_ID!, topic: e.APNS_TOPIC!, endpoint: e.APNS_ENDPOINT });
  }
  return { fcm, apns };
}

function readSetting(name: string, file: string, refuse: (line: string) => never): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    return refuse(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** 'rsa', 'ec-<curve>', another key type, or undefined when the text is no private key. */
function keyType(pem: string): string | undefined {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' ? `ec-${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
  } catch {
    return undefined;
  }
}
// ── end of push providers ──

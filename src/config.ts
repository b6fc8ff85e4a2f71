import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Seconds, from "900", "900s", "15m", "2h" or "14d". */
const duration = z
  .string()
  .trim()
  .regex(/^\d+(s|m|h|d)?$/, 'expected a duration such as 900, 15m, 2h or 14d')
  .transform((v) => {
    const n = Number.parseInt(v, 10);
    const unit = v.at(-1);
    const factor = unit === 'm' ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : 1;
    return n * factor;
  })
  .pipe(z.number().int().positive());

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * MODERATOR_EMAILS: comma-separated addresses, compared case-insensitively (stored lower-cased and
 * trimmed, as registration stores emails). Empty items (a trailing comma) are ignored; anything
 * that is not an address (no single @ with text on both sides, or whitespace inside) is refused.
 */
const moderatorEmails = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e !== ''),
  )
  .refine((list) => list.every((e) => /^[^\s@]+@[^\s@]+$/.test(e) && e.length <= 255), {
    message: 'expected comma-separated email addresses',
  });

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: int(1, 1000).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(15_000),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z.string().url().optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ACCESS_TOKEN_TTL: z.string().default('15m').pipe(duration),
  REFRESH_TOKEN_TTL: z.string().default('14d').pipe(duration),
  REFRESH_REUSE_GRACE_SECONDS: int(0, 3600).default(10),
  MIN_AGE_YEARS: int(0, 120).default(19),
  MATCH_REQUESTS_PER_DAY: int(1, 10000).default(30),
  AUTH_RATE_LIMIT_PER_IP: int(1, 1_000_000).default(30),
  AUTH_RATE_LIMIT_PER_EMAIL: int(1, 1_000_000).default(10),
  AUTH_RATE_LIMIT_PER_EMAIL_ADDRESS: int(1, 1_000_000).default(5),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: int(1, 86400).default(60),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(10_000),
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MODERATOR_EMAILS: z.string().default('').pipe(moderatorEmails),
  WEB_CONCURRENCY: z
    .string()
    .default('1')
    .transform((v) => (v === 'auto' ? availableParallelism() : Number(v)))
    .pipe(z.number().int().min(1).max(64)),
});

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
  readonly trustProxy: boolean;
  readonly logLevel: string;
  /** API processes to run (node:cluster); > 1 needs DATABASE_URL and REDIS_URL. */
  readonly webConcurrency: number;
  /** Lower-cased emails of the moderators' accounts (MODERATOR_EMAILS); read once at start-up. */
  readonly moderatorEmails: readonly string[];
}

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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, as in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required when NODE_ENV=production');
  }
  if (e.WEB_CONCURRENCY > 1 && (!e.DATABASE_URL || !e.REDIS_URL)) {
    // PGlite lives inside one process, and sockets and rate limits of several processes meet in Redis.
    throw new ConfigError('Invalid configuration:\n  WEB_CONCURRENCY: more than 1 process needs DATABASE_URL and REDIS_URL');
  }
  const dataDir = resolve(e.DATA_DIR);
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    dataDir,
    redisUrl: e.REDIS_URL,
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
    logLevel: e.LOG_LEVEL,
    webConcurrency: e.WEB_CONCURRENCY,
    moderatorEmails: Object.freeze([...new Set(e.MODERATOR_EMAILS)]),
  });
}

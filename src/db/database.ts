import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { DescribedOnceQuery, type Shape } from './described-query.js';
import { PGlitePool } from './pglite-pool.js';
import type { Database } from './schema.js';

// DATE stays the 'YYYY-MM-DD' string it is (a JS Date would shift it by the process time zone),
// and bigint counts (count(*)) come back as numbers; they never approach 2^53 here.
const DATE_OID = 1082;
const INT8_OID = 20;
pg.types.setTypeParser(DATE_OID, (v: string) => v);
pg.types.setTypeParser(INT8_OID, (v: string) => Number.parseInt(v, 10));

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  /** Runs a trivial query; throws when the database does not answer. */
  ping(): Promise<void>;
  /**
   * Runs one compiled query of a hot path as a named prepared statement on PostgreSQL (each pool
   * connection parses and plans it once, then only binds and executes it; `name` must identify
   * the SQL text), through Kysely's executor on PGlite. Same rows either way.
   */
  prepared<R>(name: string, query: CompiledQuery<R>, parameters: readonly unknown[]): Promise<R[]>;
  /**
   * PGlite only (null on PostgreSQL): its `query` and `exec` for another library that speaks SQL
   * (the push job queue), each statement taking the single connection in turn with Kysely's.
   */
  readonly embedded: EmbeddedSql | null;
  /** PostgreSQL only (null on PGlite): the connection string, for a library that opens its own pool. */
  readonly connectionString: string | null;
  close(): Promise<void>;
}

export interface EmbeddedSql {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  exec(text: string): Promise<Array<{ rows: unknown[] }>>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it, PGlite. */
  url?: string | undefined;
  /** PGlite data directory; `memory://` (or undefined with inMemory) keeps it in memory. */
  dataDir?: string | undefined;
  inMemory?: boolean;
  poolSize?: number;
  /** PostgreSQL only: the server cancels statements running longer than this (0 or unset: never). */
  statementTimeoutMs?: number;
}

/** How long a request waits for a new PostgreSQL connection before it fails (then 503). */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Connections a quiet process keeps open (pg closes the others after 10 s idle). Opening one here
 * costs 12.5 ms median, 21.5 ms at worst (2026-12-04, local PostgreSQL, trust auth; more with TLS
 * to a managed database): without them the first chat message or request after a 10-s pause paid
 * that before its own query.
 */
const WARM_CONNECTIONS = 2;
/** A transaction left open (a bug, a stuck process) cannot hold its row locks longer than this. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const max = options.poolSize ?? 10;
    const pool = new pg.Pool({
      connectionString: options.url,
      max,
      min: Math.min(WARM_CONNECTIONS, max),
      // Idle connections do not keep the process alive (a server's listener does): a script that
      // ends without close() still exits, as it did when pg closed them after 10 s.
      allowExitOnIdle: true,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    // The pool listens for errors only on idle clients. A server restart ends a checked-out
    // client's connection too — its query fails with the error, and then pg emits 'error' on the
    // client, which without a listener ends the process (found by npm run test:chaos). The pool
    // discards such a client when it is released.
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    // Each prepared statement's result is described by PostgreSQL once per pool (db/described-query.ts).
    const shapes = new Map<string, Shape>();
    return handle(db, 'postgres', null, options.url, async <R>(name: string, query: CompiledQuery<R>, parameters: readonly unknown[]) => {
      const result = (await pool.query(new DescribedOnceQuery(name, query.sql, parameters as unknown[], shapes))) as unknown as pg.QueryResult;
      return result.rows as R[];
    });
  }
  let dataDir: string | undefined;
  if (!options.inMemory && options.dataDir) {
    dataDir = join(options.dataDir, 'pglite');
    mkdirSync(dataDir, { recursive: true });
  }
  // Loaded only here: a server on PostgreSQL never holds PGlite's ≈ 1 MB of modules in its heap,
  // which every full GC would mark again.
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    parsers: {
      [DATE_OID]: (v: string) => v,
      [INT8_OID]: (v: string) => Number.parseInt(v, 10),
    },
  });
  const pool = new PGlitePool(pglite);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as never }) });
  const embedded: EmbeddedSql = {
    query: (text, params) => pool.exclusive((p) => p.query(text, params)),
    exec: (text) => pool.exclusive((p) => p.exec(text)),
  };
  return handle(db, 'pglite', embedded, null, async <R>(_name: string, query: CompiledQuery<R>, parameters: readonly unknown[]) => {
    return (await db.executeQuery<R>(CompiledQuery.raw(query.sql, [...parameters]) as CompiledQuery<R>)).rows as R[];
  });
}

function handle(
  db: Db,
  kind: 'postgres' | 'pglite',
  embedded: EmbeddedSql | null,
  connectionString: string | null,
  prepared: DatabaseHandle['prepared'],
): DatabaseHandle {
  return {
    db,
    kind,
    embedded,
    connectionString,
    prepared,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

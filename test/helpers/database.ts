import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export type TestDatabase = DatabaseHandle & { url: string | undefined };

/**
 * A fresh database built by the migrations: in-memory PGlite by default, or — when DATABASE_URL
 * is set — a new database created on that PostgreSQL server for this test file and dropped after.
 */
export async function freshDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) return freshPostgresDatabase(serverUrl);
  const handle = await openDatabase({ inMemory: true });
  await migrateToLatest(handle.db);
  return { ...handle, url: undefined };
}

/** A new, migrated database on the PostgreSQL server at `serverUrl`; close() drops it. */
export async function freshPostgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), poolSize: 20 });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

import { Migrator, type MigrationResultSet } from 'kysely';
import { openDatabase, type DatabaseHandle, type Db } from './database.js';
import { migrations } from './migrations/index.js';

export class MigrationError extends Error {}

/** Applies every pending migration; throws (so callers exit non-zero) when one fails. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new MigrationError(`migration ${failed} failed: ${cause}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Migrates the database behind `handle`. On PostgreSQL the migrations get a connection of their
 * own without the app's statement timeout (building an index on a large table takes longer).
 * PGlite lives in this process and has no timeout: its handle is used as it is.
 */
export async function migrateDatabase(handle: DatabaseHandle, url: string | undefined): Promise<string[]> {
  if (!url) return migrateToLatest(handle.db);
  const own = await openDatabase({ url, poolSize: 1 });
  try {
    return await migrateToLatest(own.db);
  } finally {
    await own.close();
  }
}

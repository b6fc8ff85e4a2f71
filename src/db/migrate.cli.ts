import { loadConfig } from '../config.js';
import { commandLine } from '../lib/cli.js';
import { openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';

// `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database) and
// exits non-zero when one fails. It takes no options (only --help): the database comes from the
// environment, as for the server.
commandLine({ command: 'npm run migrate --', options: {} });
const config = loadConfig();
const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
try {
  const applied = await migrateToLatest(handle.db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await handle.close();
}

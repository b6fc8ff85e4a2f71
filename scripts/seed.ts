import { sql } from 'kysely';
import { hashPassword } from '../src/auth/passwords.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { commandLine } from '../src/lib/cli.js';
import { insertUsers } from './lib/bulk-users.js';
import { DemoPeople } from './lib/demo-users.js';

/**
 * `npm run seed -- --users N [--database-url URL] [--seed S]`
 *
 * Adds N demo people: Korean names, cities, jobs and bios, birth dates 1960–2006 (a few lunar
 * birthdays, some with a birth time), every gender with the default interests, charts from the
 * saju engine. One shared password hash and bulk inserts, so a million takes well under a minute
 * on PostgreSQL. Without a database URL it fills the embedded database under DATA_DIR, the one
 * `npm start` uses. Prints a login to try.
 */
const PASSWORD = 'saju-demo-1234';

const { values: options } = commandLine({
  command: 'npm run seed --',
  options: {
    users: { type: 'integer', default: 1000, min: 1, max: 100_000_000, help: 'demo people to add' },
    'database-url': { type: 'string', help: 'PostgreSQL to fill (default: DATABASE_URL, else the embedded database)' },
    seed: { type: 'integer', min: 0, max: 2 ** 31 - 1, help: 'random seed, to repeat a run (default: a new one)' },
  },
});

function bar(done: number, total: number, startedAt: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  return `\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor((done / total) * 100)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${seconds}s`;
}

const count = options.users;
const config = loadConfig();
const url = options['database-url'] ?? config.databaseUrl;
const database = await openDatabase({ url, dataDir: config.dataDir });
try {
  await migrateToLatest(database.db);
  const people = new DemoPeople(options.seed ?? Date.now() % 2 ** 31);
  const hash = await hashPassword(PASSWORD);
  // Emails unique per run, so seeding twice adds people instead of failing.
  const run = Date.now().toString(36);
  const batch = database.kind === 'postgres' ? 20_000 : 5_000;
  const startedAt = performance.now();
  let first: { email: string; name: string } | undefined;
  for (let done = 0; done < count; ) {
    const n = Math.min(batch, count - done);
    const users = Array.from({ length: n }, () => people.next());
    const emails = users.map((_, i) => `demo-${run}-${done + i + 1}@saju.example`);
    await insertUsers(database.db, users, emails, hash);
    first ??= { email: emails[0]!, name: users[0]!.name };
    done += n;
    process.stderr.write(bar(done, count, startedAt));
  }
  await sql`ANALYZE users`.execute(database.db);
  process.stderr.write('\n');
  console.log(`Added ${count.toLocaleString('en')} demo users to ${database.kind === 'postgres' ? 'PostgreSQL' : `the embedded database in ${config.dataDir}`}.`);
  console.log(`Log in as ${first!.name}: email ${first!.email}, password ${PASSWORD}`);
} finally {
  await database.close();
}

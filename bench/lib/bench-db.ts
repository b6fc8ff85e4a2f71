import pg from 'pg';

/** A fresh PostgreSQL database for a benchmark on BENCH_DATABASE_URL / DATABASE_URL (default: the
 * local server), recreated on every run. */
export async function freshBenchDatabase(name: string): Promise<string> {
  const server = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { freshPostgresDatabase, type TestDatabase } from '../helpers/database.js';
import { POSTGRES_URL, skipUnlessServices } from '../helpers/services.js';

// A quiet process keeps two PostgreSQL connections (src/db/database.ts, WARM_CONNECTIONS): pg
// closes idle ones after 10 s, and opening one cost 12–22 ms here, paid by the first message after
// a pause. The others still close, so a burst's connections do not stay open for ever.
const skip = await skipUnlessServices('test/db/warm-connections.test.ts', 'postgres');

describe('database pool: warm connections', { skip }, () => {
  let fresh: TestDatabase;
  let handle: DatabaseHandle;
  let probe: pg.Client;
  before(async () => {
    fresh = await freshPostgresDatabase(POSTGRES_URL);
    handle = await openDatabase({ url: fresh.url!, poolSize: 10 });
    probe = new pg.Client({ connectionString: fresh.url });
    await probe.connect();
  });
  after(async () => {
    await probe?.end();
    await handle?.close();
    await fresh?.close();
  });

  it('keeps 2 of 5 busy connections open after 10 s idle, and closes the other 3', async () => {
    // Five statements at once take five connections.
    const pids = await Promise.all(
      Array.from({ length: 5 }, () =>
        sql<{ pid: number }>`SELECT pg_backend_pid() AS pid FROM pg_sleep(0.2)`.execute(handle.db).then((r) => r.rows[0]!.pid),
      ),
    );
    assert.equal(new Set(pids).size, 5);
    const alive = async () =>
      (await probe.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids])).rows.length;
    assert.equal(await alive(), 5);
    await new Promise((r) => setTimeout(r, 11_000));
    assert.equal(await alive(), 2);
  });
});

import type { PGlite } from '@electric-sql/pglite';

/**
 * Makes an in-process PGlite database look like a `pg` Pool to Kysely's PostgresDialect.
 * PGlite is a single connection: a transaction started by one request must not see another
 * request's statements interleaved, so a client is handed out exclusively (a FIFO mutex) until
 * it is released. Queries therefore run one at a time, as they would on PGlite anyway.
 */
export class PGlitePool {
  private queue: Array<() => void> = [];
  private busy = false;

  constructor(readonly pglite: PGlite) {}

  async connect(): Promise<PGliteClient> {
    if (this.busy) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.busy = true;
    return new PGliteClient(this.pglite, () => this.release());
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.busy = false;
  }

  /**
   * Runs `work` on the PGlite instance while holding the connection, for a library that talks to
   * PGlite itself (the job queue): its statements never land inside a Kysely transaction.
   */
  async exclusive<T>(work: (pglite: PGlite) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await work(this.pglite);
    } finally {
      client.release();
    }
  }

  async end(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

class PGliteClient {
  private released = false;

  constructor(
    private readonly pglite: PGlite,
    private readonly onRelease: () => void,
  ) {}

  /**
   * The result as `pg` gives it: the command and row count of the statement's command tag, which
   * PGlite reports too (so `WITH … UPDATE` is an UPDATE with its count, as on PostgreSQL). Kysely
   * reads numAffectedRows from rowCount for INSERT, UPDATE, DELETE and MERGE.
   */
  async query(sql: string, parameters?: readonly unknown[]) {
    const result = await this.pglite.query(sql, parameters as unknown[] | undefined, { rowMode: 'object' });
    return {
      command: result.command,
      rowCount: result.affectedRows ?? result.rows.length,
      rows: result.rows,
    };
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease();
  }
}

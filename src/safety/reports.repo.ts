import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface NewReport {
  reporterId: number;
  reportedUserId: number;
  reason: string;
  details: string | null;
}

/** Files a report if the reported user exists (one statement); undefined when they do not. */
export async function insertReport(db: Db, report: NewReport): Promise<number | undefined> {
  const row = await db
    .insertInto('reports')
    .columns(['reporter_id', 'reported_user_id', 'reason', 'details'])
    .expression((eb) =>
      eb
        .selectFrom('users')
        .select([
          sql<number>`${report.reporterId}::int`.as('reporter_id'),
          'id',
          sql<string>`${report.reason}::varchar`.as('reason'),
          sql<string | null>`${report.details}::text`.as('details'),
        ])
        .where('id', '=', report.reportedUserId),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

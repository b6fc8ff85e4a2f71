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
        .select((s) => [
          s.cast<number>(s.val(report.reporterId), 'integer').as('reporter_id'),
          'id',
          s.cast<string>(s.val(report.reason), 'varchar').as('reason'),
          s.cast<string | null>(s.val(report.details), 'text').as('details'),
        ])
        .where('id', '=', report.reportedUserId),
    )
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

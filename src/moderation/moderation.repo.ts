import { sql, type Transaction } from 'kysely';
import { accountStatusOf, BAN_UNTIL, type AccountStatus } from '../auth/account-status.js';
import type { MessageSummaryRow } from '../chats/message-row.js';
import type { Db } from '../db/database.js';
import type { Database, ModerationAction, ReportStatus } from '../db/schema.js';

type Executor = Db | Transaction<Database>;

export interface QueueRow {
  id: number;
  reason: string;
  details: string | null;
  created_at: Date;
  status: ReportStatus;
  resolution: ModerationAction | null;
  resolved_at: Date | null;
  resolved_by: number | null;
  reporter_id: number | null;
  reporter_name: string | null;
  reported_user_id: number;
  reported_name: string | null;
  /** null when the reported account was deleted. */
  reported_status: AccountStatus | null;
  reports_open: number;
}

/**
 * One page of the report queue: open reports oldest first (first come, first served), resolved
 * ones most recently resolved first. Names come from the live accounts (null once deleted).
 */
export async function listReports(db: Executor, status: ReportStatus, limit: number, offset: number): Promise<QueueRow[]> {
  let query = db
    .selectFrom('reports as r')
    .leftJoin('users as rp', 'rp.id', 'r.reporter_id')
    .leftJoin('users as ru', 'ru.id', 'r.reported_user_id')
    .select((eb) => [
      'r.id',
      'r.reason',
      'r.details',
      'r.created_at',
      'r.status',
      'r.resolution',
      'r.resolved_at',
      'r.resolved_by',
      'r.reporter_id',
      'rp.name as reporter_name',
      'r.reported_user_id',
      'ru.name as reported_name',
      eb.case().when('ru.id', 'is', null).then(eb.lit(null)).else(accountStatusOf('ru')).end().as('reported_status'),
      eb
        .cast<number>(
          eb.selectFrom('reports as o').select((o) => o.fn.countAll().as('n')).whereRef('o.reported_user_id', '=', 'r.reported_user_id').where('o.status', '=', 'open'),
          'integer',
        )
        .as('reports_open'),
    ])
    .where('r.status', '=', status);
  query =
    status === 'open'
      ? query.orderBy('r.created_at', 'asc').orderBy('r.id', 'asc')
      : query.orderBy('r.resolved_at', 'desc').orderBy('r.id', 'desc');
  return (await query.limit(limit).offset(offset).execute()) as QueueRow[];
}

export type EvidenceRow = MessageSummaryRow & { report_id: number };

/**
 * For each report, the last `perChat` messages of the chat between its reporter and the reported
 * user, whatever became of that chat (unmatched, blocked): the pair has at most one match row
 * (its unordered-pair index), hence at most one chat. Newest first, as the chat history is.
 */
export async function evidenceFor(
  db: Executor,
  reports: ReadonlyArray<{ id: number; reporter_id: number | null; reported_user_id: number }>,
  perChat: number,
): Promise<EvidenceRow[]> {
  const pairs = reports.filter((r) => r.reporter_id !== null);
  if (pairs.length === 0) return [];
  // Raw: a join of unnested parameter arrays and a LATERAL subquery, clearer as SQL.
  const result = await sql<EvidenceRow>`
    SELECT x.report_id, msg.id, msg.sender_id, msg.content, msg.sent_at
    FROM unnest(${pairs.map((r) => r.id)}::int4[], ${pairs.map((r) => r.reporter_id)}::int4[], ${pairs.map((r) => r.reported_user_id)}::int4[])
      AS x(report_id, a, b)
    JOIN matches m ON LEAST(m.requester_id, m.receiver_id) = LEAST(x.a, x.b)
                  AND GREATEST(m.requester_id, m.receiver_id) = GREATEST(x.a, x.b)
    JOIN chats c ON c.match_id = m.id
    CROSS JOIN LATERAL (
      SELECT id, sender_id, content, sent_at FROM messages WHERE chat_id = c.id ORDER BY id DESC LIMIT ${perChat}
    ) msg
    ORDER BY x.report_id, msg.id DESC`.execute(db);
  return result.rows;
}

export interface LockedReport {
  id: number;
  status: ReportStatus;
  reported_user_id: number;
}

export async function lockReport(trx: Transaction<Database>, reportId: number): Promise<LockedReport | undefined> {
  return trx
    .selectFrom('reports')
    .select(['id', 'status', 'reported_user_id'])
    .where('id', '=', reportId)
    .forUpdate()
    .executeTakeFirst();
}

/** The reported account's email, its row locked against a racing login or deletion; undefined once deleted. */
export async function lockTarget(trx: Transaction<Database>, userId: number): Promise<{ email: string } | undefined> {
  return trx.selectFrom('users').select('email').where('id', '=', userId).forUpdate().executeTakeFirst();
}

/**
 * Suspends for `days` from now (or bans, with null): an existing longer suspension or a ban is
 * never shortened by a later, shorter one.
 */
export async function suspendAccount(trx: Transaction<Database>, userId: number, days: number | null): Promise<void> {
  // Raw: a timestamptz literal and interval arithmetic, which the builder does not express.
  const until = days === null ? sql<Date>`${BAN_UNTIL}::timestamptz` : sql<Date>`now() + make_interval(days => ${days})`;
  await trx
    .updateTable('users')
    .set({ suspended_until: sql<Date>`GREATEST(COALESCE(suspended_until, now()), ${until})` })
    .where('id', '=', userId)
    .execute();
}

export async function markResolved(trx: Transaction<Database>, reportId: number, action: ModerationAction, moderatorId: number): Promise<void> {
  await trx
    .updateTable('reports')
    .set({ status: 'resolved', resolution: action, resolved_by: moderatorId, resolved_at: sql`now()` })
    .where('id', '=', reportId)
    .execute();
}

export interface AuditEntry {
  moderatorId: number;
  action: ModerationAction;
  targetUserId: number;
  reportId: number | null;
  note: string | null;
  days: number | null;
}

export async function insertAudit(trx: Executor, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('moderation_audit')
    .values({
      moderator_id: entry.moderatorId,
      action: entry.action,
      target_user_id: entry.targetUserId,
      report_id: entry.reportId,
      note: entry.note,
      days: entry.days,
    })
    .execute();
}

export async function listAudit(db: Executor, limit: number, offset: number) {
  return db
    .selectFrom('moderation_audit')
    .select(['id', 'moderator_id', 'action', 'target_user_id', 'report_id', 'note', 'days', 'created_at'])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

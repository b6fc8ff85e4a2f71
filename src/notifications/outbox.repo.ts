import { sql, type Transaction } from 'kysely';
import { isActiveAccount } from '../auth/account-status.js';
import type { Db } from '../db/database.js';
import type { Database, DevicePlatform, PushKindColumn } from '../db/schema.js';
import { blockedEitherWay } from '../safety/blocks.repo.js';

type Executor = Db | Transaction<Database>;

/**
 * The transactional outbox. An event that should notify someone writes a `push_outbox` row in the
 * transaction that records the event (matches.service for requests and accepts; the chat writer's
 * SQL function for messages), and only when that person has a push device, so that the common
 * case costs one index probe. The relay (push-jobs.ts) later claims rows with SKIP LOCKED, queues
 * one pg-boss job per device and deletes the rows, all in one transaction.
 */
export interface OutboxDraft {
  userId: number;
  kind: PushKindColumn;
  aboutUserId: number | null;
  matchId?: number | null;
  chatId?: number | null;
}

export async function enqueuePush(trx: Transaction<Database>, d: OutboxDraft): Promise<void> {
  await trx
    .insertInto('push_outbox')
    .columns(['user_id', 'kind', 'about_user_id', 'match_id', 'chat_id'])
    // One row when the user has a device, none otherwise.
    .expression(
      trx
        .selectFrom('devices')
        .select((eb) => [
          eb.cast<number>(eb.val(d.userId), 'integer').as('user_id'),
          eb.val(d.kind).as('kind'),
          eb.cast<number | null>(eb.val(d.aboutUserId), 'integer').as('about_user_id'),
          eb.cast<number | null>(eb.val(d.matchId ?? null), 'integer').as('match_id'),
          eb.cast<number | null>(eb.val(d.chatId ?? null), 'integer').as('chat_id'),
        ])
        .where('user_id', '=', d.userId)
        .limit(1),
    )
    .execute();
}

export interface OutboxRow {
  id: number;
  user_id: number;
  kind: PushKindColumn;
  about_user_id: number | null;
  match_id: number | null;
  chat_id: number | null;
  message_id: number | null;
}

/** Takes up to `limit` outbox rows (oldest first) out of the table; other relays skip them meanwhile. */
export async function claimOutbox(trx: Transaction<Database>, limit: number): Promise<OutboxRow[]> {
  const rows = await trx
    .deleteFrom('push_outbox')
    .where('id', 'in', (eb) => eb.selectFrom('push_outbox').select('id').orderBy('id').limit(limit).forUpdate().skipLocked())
    .returning(['id', 'user_id', 'kind', 'about_user_id', 'match_id', 'chat_id', 'message_id'])
    .execute();
  return rows.sort((a, b) => a.id - b.id);
}

/** The devices of these users whose session is live (the ones to queue a push for). */
export async function liveDevicesOf(trx: Executor, userIds: readonly number[]): Promise<Array<{ id: number; user_id: number }>> {
  if (userIds.length === 0) return [];
  return trx
    .selectFrom('devices as d')
    .innerJoin('auth_sessions as s', 's.id', 'd.session_id')
    .select(['d.id', 'd.user_id'])
    .where('d.user_id', 'in', [...new Set(userIds)])
    .where('s.revoked_at', 'is', null)
    .orderBy('d.id')
    .execute();
}

export interface SendContext {
  platform: DevicePlatform;
  token: string;
  p256dh: string | null;
  auth: string | null;
  pushPreviews: boolean;
  /** The other person's name; null when there is none (daily_picks). */
  aboutName: string | null;
  /** False when the other person is suspended or banned, or one of the two blocked the other. */
  aboutAllowed: boolean;
  /** The message text of a new_message push (null otherwise or when the message is gone). */
  messageContent: string | null;
}

/**
 * Everything a push needs at the moment it is sent, read in one query: the device (still the
 * user's, on a live session), the recipient's preview preference and that they are not suspended,
 * the other person's name and whether a block or a suspension now stands between them. Undefined
 * when the device or the recipient is gone.
 */
export async function sendContext(
  db: Executor,
  q: { deviceId: number; userId: number; aboutUserId: number | null; messageId: number | null },
): Promise<SendContext | undefined> {
  const about = q.aboutUserId ?? 0;
  const row = await db
    .selectFrom('devices as d')
    .innerJoin('auth_sessions as s', 's.id', 'd.session_id')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .leftJoin('users as a', (join) => join.on('a.id', '=', about))
    .leftJoin('messages as m', (join) => join.on('m.id', '=', q.messageId ?? 0))
    .select((eb) => [
      'd.platform',
      'd.token',
      'd.p256dh',
      'd.auth',
      'u.push_previews',
      'a.name as about_name',
      'm.content as message_content',
      isActiveAccount('u').as('recipient_active'),
      eb.or([eb('a.id', 'is', null), eb.and([isActiveAccount('a'), eb.not(blockedEitherWay(eb.ref('u.id'), eb.ref('a.id')))])])
        .$castTo<boolean>()
        .as('about_allowed'),
    ])
    .where('d.id', '=', q.deviceId)
    .where('d.user_id', '=', q.userId)
    .where('s.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row || !row.recipient_active) return undefined;
  if (q.aboutUserId !== null && row.about_name === null) return { ...base(row), aboutAllowed: false };
  return { ...base(row), aboutAllowed: row.about_allowed };
}

function base(row: { platform: DevicePlatform; token: string; p256dh: string | null; auth: string | null; push_previews: boolean; about_name: string | null; message_content: string | null }) {
  return {
    platform: row.platform,
    token: row.token,
    p256dh: row.p256dh,
    auth: row.auth,
    pushPreviews: row.push_previews,
    aboutName: row.about_name,
    messageContent: row.message_content,
  };
}

export async function wasDelivered(db: Executor, outboxId: number, deviceId: number): Promise<boolean> {
  const row = await db.selectFrom('push_deliveries').select('device_id').where('outbox_id', '=', outboxId).where('device_id', '=', deviceId).executeTakeFirst();
  return row !== undefined;
}

export async function recordDelivery(db: Executor, outboxId: number, deviceId: number): Promise<void> {
  await db.insertInto('push_deliveries').values({ outbox_id: outboxId, device_id: deviceId }).onConflict((oc) => oc.doNothing()).execute();
}

/** Forgets deliveries older than any retry of theirs can be. */
export async function pruneDeliveries(db: Executor, olderThanSeconds: number): Promise<number> {
  const result = await db
    .deleteFrom('push_deliveries')
    // Raw: the builder has no interval arithmetic.
    .where('delivered_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

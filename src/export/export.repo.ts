import { isActiveAccount } from '../auth/account-status.js';
import type { MessageRow } from '../chats/message-row.js';
import type { Db } from '../db/database.js';
import type { MatchStatus, ModerationAction, ReportStatus } from '../db/schema.js';

/**
 * Everything stored about one person, table by table, for the data export (right of access and
 * portability). Other people appear only as what the person already saw of them: id and name.
 */

export interface ExportMatchRow {
  id: number;
  requester_id: number;
  receiver_id: number;
  status: MatchStatus;
  compatibility_score: number | null;
  created_at: Date;
  partner_id: number;
  partner_name: string;
}

/** The person's match rows, each joined to the other person of the match as `p`. */
function matchesWithPartner(db: Db, userId: number) {
  return db
    .selectFrom('matches as m')
    .innerJoin('users as p', (join) =>
      join.on((eb) => eb('p.id', '=', eb.case().when('m.requester_id', '=', userId).then(eb.ref('m.receiver_id')).else(eb.ref('m.requester_id')).end())),
    )
    .where((eb) => eb.or([eb('m.requester_id', '=', userId), eb('m.receiver_id', '=', userId)]));
}

export async function matchesOf(db: Db, userId: number): Promise<ExportMatchRow[]> {
  return matchesWithPartner(db, userId)
    .select(['m.id', 'm.requester_id', 'm.receiver_id', 'm.status', 'm.compatibility_score', 'm.created_at', 'p.id as partner_id', 'p.name as partner_name'])
    // The seed schema's columns are nullable: the partner join needs both ids, created_at has a default.
    .$narrowType<{ requester_id: number; receiver_id: number; created_at: Date }>()
    .orderBy('m.id')
    .execute();
}

export interface ExportChatRow {
  id: number;
  match_id: number;
  created_at: Date;
  partner_id: number;
  partner_name: string;
  /** In the person's chat list now (matched, no block either way, the partner not suspended). */
  visible: boolean;
  read_up_to: number | null;
}

export async function chatsOf(db: Db, userId: number): Promise<ExportChatRow[]> {
  return matchesWithPartner(db, userId)
    .innerJoin('chats as c', 'c.match_id', 'm.id')
    .leftJoin('chat_reads as r', (join) => join.onRef('r.chat_id', '=', 'c.id').on('r.user_id', '=', userId))
    .select((eb) => [
      'c.id',
      'c.match_id',
      'c.created_at',
      'p.id as partner_id',
      'p.name as partner_name',
      eb
        .and([
          eb('m.status', '=', 'matched'),
          isActiveAccount('p'),
          eb.not(
            eb.exists(
              eb
                .selectFrom('blocks as b')
                .select(eb.lit(1).as('one'))
                .where((b) =>
                  b.or([
                    b.and([b('b.blocker_id', '=', userId), b('b.blocked_id', '=', b.ref('p.id'))]),
                    b.and([b('b.blocker_id', '=', b.ref('p.id')), b('b.blocked_id', '=', userId)]),
                  ]),
                ),
            ),
          ),
        ])
        .$castTo<boolean>()
        .as('visible'),
      'r.message_id as read_up_to',
    ])
    // Nullable seed-schema columns: the join on c.match_id needs it, created_at has a default.
    .$narrowType<{ match_id: number; created_at: Date }>()
    .orderBy('c.id')
    .execute();
}

/**
 * The messages of the given chats, oldest first: every message of the chats the person can still
 * open, and only their own messages in chats closed to them (unmatched, blocked, partner suspended),
 * whose other half they can no longer see.
 */
export async function messagesOf(db: Db, userId: number, openChats: number[], closedChats: number[]): Promise<MessageRow[]> {
  if (openChats.length === 0 && closedChats.length === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'chat_id', 'sender_id', 'content', 'sent_at', 'client_msg_id'])
    .where((eb) =>
      eb.or([
        ...(openChats.length > 0 ? [eb('chat_id', 'in', openChats)] : []),
        ...(closedChats.length > 0 ? [eb.and([eb('chat_id', 'in', closedChats), eb('sender_id', '=', userId)])] : []),
      ]),
    )
    .orderBy('chat_id')
    .orderBy('id')
    .execute();
  // The seed's DDL leaves these columns nullable; a stored message has them all (message-row.ts).
  return rows as MessageRow[];
}

export async function blocksBy(db: Db, userId: number) {
  return db
    .selectFrom('blocks as b')
    .innerJoin('users as u', 'u.id', 'b.blocked_id')
    .select(['b.blocked_id', 'u.name', 'b.created_at'])
    .where('b.blocker_id', '=', userId)
    .orderBy('b.created_at')
    .execute();
}

export async function reportsBy(db: Db, userId: number) {
  return db
    .selectFrom('reports')
    .select(['id', 'reported_user_id', 'reason', 'details', 'created_at', 'status'])
    .where('reporter_id', '=', userId)
    .orderBy('id')
    .execute() as Promise<Array<{ id: number; reported_user_id: number; reason: string; details: string | null; created_at: Date; status: ReportStatus }>>;
}

export async function sessionsOf(db: Db, userId: number) {
  return db
    .selectFrom('auth_sessions')
    .select(['id', 'created_at', 'last_used_at', 'revoked_at', 'revoked_reason', 'user_agent', 'ip'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

/** The person's push devices (the address as the app registered it; the Web Push keys are not personal data and stay out). */
export async function devicesOf(db: Db, userId: number) {
  return db
    .selectFrom('devices')
    .select(['id', 'session_id', 'platform', 'token', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute();
}

/** Moderation decisions about the person's own account (not who decided, nor their notes). */
export async function sanctionsOn(db: Db, userId: number) {
  return db
    .selectFrom('moderation_audit')
    .select(['action', 'days', 'created_at'])
    .where('target_user_id', '=', userId)
    .where('action', 'in', ['warn', 'suspend', 'ban'])
    .orderBy('id')
    .execute() as Promise<Array<{ action: ModerationAction; days: number | null; created_at: Date }>>;
}

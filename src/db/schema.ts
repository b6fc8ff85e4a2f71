import type { ColumnType, Generated, Insertable, Selectable, SelectType, Updateable } from 'kysely';

/** Table types. Each feature's migration adds its tables here beside the seed's four, and to COLUMNS below. */

export type Gender = 'male' | 'female' | 'other';
export type MatchStatus = 'requested' | 'matched' | 'declined';
export type BirthCalendar = 'solar' | 'lunar';
/** The 17 시/도 codes (src/users/regions.ts). */
export type Region =
  | 'seoul' | 'busan' | 'daegu' | 'incheon' | 'gwangju' | 'daejeon' | 'ulsan' | 'sejong' | 'gyeonggi'
  | 'gangwon' | 'chungbuk' | 'chungnam' | 'jeonbuk' | 'jeonnam' | 'gyeongbuk' | 'gyeongnam' | 'jeju';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface UsersTable {
  // seed columns
  id: Generated<number>;
  email: string;
  password_hash: string;
  name: string;
  /** The solar birth date (for a lunar birthday, its conversion). */
  birth_date: string;
  gender: Gender;
  location: string | null;
  job: string | null;
  bio: string | null;
  profile_img_url: string | null;
  created_at: ColumnType<Date | null, Date | string | undefined, Date | string>;
  // added beside the seed
  birth_time: string | null;
  birth_calendar: ColumnType<BirthCalendar, BirthCalendar | undefined, BirthCalendar>;
  is_leap_month: ColumnType<boolean, boolean | undefined, boolean>;
  /** The lunar date as the user entered it, when birth_calendar is 'lunar'. */
  lunar_birth_date: string | null;
  interested_in: Gender[];
  /** The saju chart's compact key (src/saju chartKey) and the algorithm version that made it. */
  saju_key: ColumnType<number, number | undefined, number>;
  saju_version: ColumnType<number, number | undefined, number>;
  updated_at: Timestamp;
  /** Hidden and locked out while in the future; 'infinity' for a ban (0008-moderation). */
  suspended_until: NullableTimestamp;
  // discovery preferences (0009-unmatch-and-discovery)
  region: Region | null;
  /** '{}' = anywhere. */
  preferred_regions: ColumnType<Region[], Region[] | undefined, Region[]>;
  age_min: number | null;
  age_max: number | null;
  discoverable: ColumnType<boolean, boolean | undefined, boolean>;
  show_activity: ColumnType<boolean, boolean | undefined, boolean>;
  // 0011-devices: whether new_message pushes show the message's beginning
  push_previews: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface MatchesTable {
  id: Generated<number>;
  requester_id: number | null;
  receiver_id: number | null;
  status: ColumnType<MatchStatus, MatchStatus | undefined, MatchStatus>;
  compatibility_score: number | null;
  created_at: ColumnType<Date | null, Date | string | undefined, Date | string>;
  // 0009-unmatch-and-discovery: an unmatched match is 'declined' with these set
  unmatched_at: NullableTimestamp;
  unmatched_by: number | null;
}

/** A withdrawn request, counted by the daily request cap (0009). */
export interface CancelledMatchRequestsTable {
  requester_id: number;
  requested_at: ColumnType<Date, Date | string, Date | string>;
  cancelled_at: Timestamp;
}

/** When a person last used the API, about hourly (0009). */
export interface UserActivityTable {
  user_id: number;
  last_active_at: ColumnType<Date, Date | string, Date | string>;
}

export interface ChatsTable {
  id: Generated<number>;
  match_id: number | null;
  created_at: ColumnType<Date | null, Date | string | undefined, Date | string>;
}

export interface MessagesTable {
  id: Generated<number>;
  chat_id: number | null;
  sender_id: number | null;
  content: string;
  sent_at: ColumnType<Date | null, Date | string | undefined, Date | string>;
  // added beside the seed (0005-chat): the sender's idempotency key
  client_msg_id: string | null;
}

/** A member's read mark in a chat (0005-chat). */
export interface ChatReadsTable {
  chat_id: number;
  user_id: number;
  message_id: number;
  updated_at: Timestamp;
}

export interface AuthSessionsTable {
  id: Generated<number>;
  user_id: number;
  created_at: Timestamp;
  last_used_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
  user_agent: string | null;
  ip: string | null;
}

export interface RefreshTokensTable {
  id: Generated<number>;
  session_id: number;
  token_hash: string;
  created_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  rotated_at: NullableTimestamp;
}

export interface BlocksTable {
  blocker_id: number;
  blocked_id: number;
  created_at: Timestamp;
}

export interface ReportsTable {
  id: Generated<number>;
  reporter_id: number | null;
  reported_user_id: number;
  reason: string;
  details: string | null;
  created_at: Timestamp;
  // 0008-moderation
  status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
  resolution: ModerationAction | null;
  resolved_by: number | null;
  resolved_at: NullableTimestamp;
}

export type ReportStatus = 'open' | 'resolved';
export type ModerationAction = 'dismiss' | 'warn' | 'suspend' | 'ban';

/** Every moderator action; ids only, no foreign keys (0008-moderation). */
export interface ModerationAuditTable {
  id: Generated<number>;
  moderator_id: number;
  action: ModerationAction;
  target_user_id: number;
  report_id: number | null;
  note: string | null;
  days: number | null;
  created_at: Timestamp;
}

export interface SajuKeysTable {
  saju_key: number;
  seq: ColumnType<number, never, never>;
}

export interface SajuKeyRankingsTable {
  saju_key: number;
  algorithm_version: number;
  universe_seq: number;
  complete: boolean;
  ranked_keys: Uint8Array;
  ranked_scores: Uint8Array;
  updated_at: Timestamp;
}

export interface DailyRecommendationSetsTable {
  user_id: number;
  /** Korean calendar date 'YYYY-MM-DD'. */
  kst_date: string;
  created_at: Timestamp;
}

export interface DailyRecommendationsTable {
  user_id: number;
  kst_date: string;
  position: number;
  candidate_id: number;
  score: number;
}

export type DevicePlatform = 'web' | 'fcm' | 'apns';

/** A push address of a login session (0011-devices): FCM/APNs token or Web Push endpoint + keys. */
export interface DevicesTable {
  id: Generated<number>;
  user_id: number;
  session_id: number;
  platform: DevicePlatform;
  /** The FCM or APNs token, or the Web Push endpoint URL. */
  token: string;
  p256dh: string | null;
  auth: string | null;
  created_at: Timestamp;
}

export type PushKindColumn = 'match_requested' | 'match_accepted' | 'new_message' | 'daily_picks';

/** A notification waiting to be queued for its user's devices (0013-push-outbox). */
export interface PushOutboxTable {
  id: Generated<number>;
  user_id: number;
  kind: PushKindColumn;
  /** The other person the push is about (requester, accepter, sender); null for daily_picks. */
  about_user_id: number | null;
  match_id: number | null;
  chat_id: number | null;
  message_id: number | null;
  created_at: Timestamp;
}

/** A (notification, device) pair already delivered (0013-push-outbox). */
export interface PushDeliveriesTable {
  outbox_id: number;
  device_id: number;
  delivered_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  matches: MatchesTable;
  chats: ChatsTable;
  messages: MessagesTable;
  auth_sessions: AuthSessionsTable;
  refresh_tokens: RefreshTokensTable;
  blocks: BlocksTable;
  reports: ReportsTable;
  saju_keys: SajuKeysTable;
  saju_key_rankings: SajuKeyRankingsTable;
  daily_recommendation_sets: DailyRecommendationSetsTable;
  daily_recommendations: DailyRecommendationsTable;
  chat_reads: ChatReadsTable;
  moderation_audit: ModerationAuditTable;
  cancelled_match_requests: CancelledMatchRequestsTable;
  user_activity: UserActivityTable;
  devices: DevicesTable;
  push_outbox: PushOutboxTable;
  push_deliveries: PushDeliveriesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;

/**
 * The same tables as the database holds them: each column's SQL type (information_schema's
 * `udt_name`), with `?` when it takes NULL. TypeScript checks this list against the interfaces
 * above (every column, nothing more, NULL where the type says so, an SQL type that matches the
 * TypeScript one), and test/db/schema.test.ts checks it against a freshly migrated database. A
 * migration that adds or changes a column updates its interface and this list.
 */
export const COLUMNS = {
  users: {
    id: 'int4',
    email: 'varchar',
    password_hash: 'varchar',
    name: 'varchar',
    birth_date: 'date',
    gender: 'user_gender',
    location: 'varchar?',
    job: 'varchar?',
    bio: 'text?',
    profile_img_url: 'varchar?',
    created_at: 'timestamptz?',
    birth_time: 'varchar?',
    birth_calendar: 'varchar',
    is_leap_month: 'bool',
    lunar_birth_date: 'varchar?',
    interested_in: '_text',
    saju_key: 'int4',
    saju_version: 'int4',
    updated_at: 'timestamptz',
    suspended_until: 'timestamptz?',
    region: 'varchar?',
    preferred_regions: '_text',
    age_min: 'int2?',
    age_max: 'int2?',
    discoverable: 'bool',
    show_activity: 'bool',
    push_previews: 'bool',
  },
  matches: {
    id: 'int4',
    requester_id: 'int4?',
    receiver_id: 'int4?',
    status: 'match_status',
    compatibility_score: 'int4?',
    created_at: 'timestamptz?',
    unmatched_at: 'timestamptz?',
    unmatched_by: 'int4?',
  },
  cancelled_match_requests: { requester_id: 'int4', requested_at: 'timestamptz', cancelled_at: 'timestamptz' },
  user_activity: { user_id: 'int4', last_active_at: 'timestamptz' },
  chats: { id: 'int4', match_id: 'int4?', created_at: 'timestamptz?' },
  messages: {
    id: 'int4',
    chat_id: 'int4?',
    sender_id: 'int4?',
    content: 'text',
    sent_at: 'timestamptz?',
    client_msg_id: 'varchar?',
  },
  chat_reads: { chat_id: 'int4', user_id: 'int4', message_id: 'int4', updated_at: 'timestamptz' },
  auth_sessions: {
    id: 'int4',
    user_id: 'int4',
    created_at: 'timestamptz',
    last_used_at: 'timestamptz',
    revoked_at: 'timestamptz?',
    revoked_reason: 'varchar?',
    user_agent: 'varchar?',
    ip: 'varchar?',
  },
  refresh_tokens: {
    id: 'int4',
    session_id: 'int4',
    token_hash: 'bpchar',
    created_at: 'timestamptz',
    expires_at: 'timestamptz',
    rotated_at: 'timestamptz?',
  },
  blocks: { blocker_id: 'int4', blocked_id: 'int4', created_at: 'timestamptz' },
  reports: {
    id: 'int4',
    reporter_id: 'int4?',
    reported_user_id: 'int4',
    reason: 'varchar',
    details: 'text?',
    created_at: 'timestamptz',
    status: 'varchar',
    resolution: 'varchar?',
    resolved_by: 'int4?',
    resolved_at: 'timestamptz?',
  },
  moderation_audit: {
    id: 'int4',
    moderator_id: 'int4',
    action: 'varchar',
    target_user_id: 'int4',
    report_id: 'int4?',
    note: 'text?',
    days: 'int4?',
    created_at: 'timestamptz',
  },
  saju_keys: { saju_key: 'int4', seq: 'int8' },
  saju_key_rankings: {
    saju_key: 'int4',
    algorithm_version: 'int4',
    universe_seq: 'int8',
    complete: 'bool',
    ranked_keys: 'bytea',
    ranked_scores: 'bytea',
    updated_at: 'timestamptz',
  },
  daily_recommendation_sets: { user_id: 'int4', kst_date: 'date', created_at: 'timestamptz' },
  daily_recommendations: { user_id: 'int4', kst_date: 'date', position: 'int2', candidate_id: 'int4', score: 'int2' },
  devices: {
    id: 'int4',
    user_id: 'int4',
    session_id: 'int4',
    platform: 'varchar',
    token: 'text',
    p256dh: 'text?',
    auth: 'text?',
    created_at: 'timestamptz',
  },
  push_outbox: {
    id: 'int8',
    user_id: 'int4',
    kind: 'varchar',
    about_user_id: 'int4?',
    match_id: 'int4?',
    chat_id: 'int4?',
    message_id: 'int4?',
    created_at: 'timestamptz',
  },
  push_deliveries: { outbox_id: 'int8', device_id: 'int4', delivered_at: 'timestamptz' },
} as const satisfies { [T in keyof Database]: ColumnsOf<Database[T]> };

/** The SQL types a column of TypeScript type T may have. */
type SqlTypeOf<T> = [T] extends [number]
  ? 'int2' | 'int4' | 'int8' | 'float8'
  : [T] extends [boolean]
    ? 'bool'
    : [T] extends [Date]
      ? 'timestamptz'
      : [T] extends [Uint8Array]
        ? 'bytea'
        : [T] extends [readonly string[]]
          ? '_text'
          : [T] extends [string]
            ? 'varchar' | 'text' | 'bpchar' | 'date' | 'user_gender' | 'match_status'
            : never;

type ColumnsOf<Table> = {
  [C in keyof Table]-?: null extends SelectType<Table[C]>
    ? `${SqlTypeOf<Exclude<SelectType<Table[C]>, null>>}?`
    : SqlTypeOf<SelectType<Table[C]>>;
};

import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table types. Each feature's migration adds its tables here beside the seed's four. */

export type Gender = 'male' | 'female' | 'other';
export type MatchStatus = 'requested' | 'matched' | 'declined';
export type BirthCalendar = 'solar' | 'lunar';

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
}

export interface MatchesTable {
  id: Generated<number>;
  requester_id: number | null;
  receiver_id: number | null;
  status: ColumnType<MatchStatus, MatchStatus | undefined, MatchStatus>;
  compatibility_score: number | null;
  created_at: ColumnType<Date | null, Date | string | undefined, Date | string>;
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
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;

import type { Caller } from '../auth/auth.guard.js';
import type { Db } from '../db/database.js';
import { rateLimited } from '../lib/errors.js';
import type { RateLimiter } from '../lib/rate-limit.js';
import { isoOrNull } from '../lib/time.js';
import { chartFromKey, presentChart } from '../saju/index.js';
import { presentOwnProfile } from '../users/users.presenter.js';
import { blocksBy, chatsOf, devicesOf, matchesOf, messagesOf, reportsBy, sanctionsOn, sessionsOf } from './export.repo.js';

/** Exports one person may download per hour (on every process, through the shared limiter). */
export const EXPORTS_PER_HOUR = 3;

const iso = (d: Date | null) => isoOrNull(d);
const at = (d: Date) => d.toISOString();

/**
 * The data export: everything the service stores about the caller (개인정보 보호법 열람권, GDPR
 * Art. 15/20), as one JSON document. Other people appear only as the caller already saw them
 * (id and name); nothing about who reported or blocked the caller, nor moderators' notes.
 */
export class ExportService {
  constructor(
    private readonly db: Db,
    private readonly limiter: RateLimiter,
    private readonly now: () => Date,
  ) {}

  async export(caller: Caller) {
    const attempt = await this.limiter.hit(`export:user:${caller.userId}`, EXPORTS_PER_HOUR, 3600);
    if (!attempt.allowed) throw rateLimited(attempt.retryAfterSeconds, 'Too many exports, please try again later');
    const me = caller.userId;
    const [matches, chats, blocks, reports, sessions, sanctions, devices] = await Promise.all([
      matchesOf(this.db, me),
      chatsOf(this.db, me),
      blocksBy(this.db, me),
      reportsBy(this.db, me),
      sessionsOf(this.db, me),
      sanctionsOn(this.db, me),
      devicesOf(this.db, me),
    ]);
    const messages = await messagesOf(
      this.db,
      me,
      chats.filter((c) => c.visible).map((c) => c.id),
      chats.filter((c) => !c.visible).map((c) => c.id),
    );
    const byChat = new Map<number, typeof messages>();
    for (const m of messages) byChat.set(m.chat_id, [...(byChat.get(m.chat_id) ?? []), m]);

    return {
      exported_at: this.now().toISOString(),
      profile: presentOwnProfile(caller.profile),
      saju: presentChart(chartFromKey(caller.profile.saju_key)),
      matches: matches.map((m) => ({
        match_id: m.id,
        status: m.status,
        direction: m.requester_id === me ? ('sent' as const) : ('received' as const),
        compatibility_score: m.compatibility_score,
        created_at: iso(m.created_at),
        partner: { user_id: m.partner_id, name: m.partner_name },
      })),
      chats: chats.map((c) => ({
        chat_id: c.id,
        match_id: c.match_id,
        created_at: iso(c.created_at),
        partner: { user_id: c.partner_id, name: c.partner_name },
        open: c.visible,
        read_up_to: c.read_up_to,
        messages: (byChat.get(c.id) ?? []).map((m) => ({
          message_id: m.id,
          sender_id: m.sender_id,
          content: m.content,
          sent_at: iso(m.sent_at),
          client_msg_id: m.client_msg_id,
        })),
      })),
      blocks: blocks.map((b) => ({ user_id: b.blocked_id, name: b.name, created_at: at(b.created_at) })),
      reports: reports.map((r) => ({
        report_id: r.id,
        reported_user_id: r.reported_user_id,
        reason: r.reason,
        details: r.details,
        created_at: at(r.created_at),
        status: r.status,
      })),
      sessions: sessions.map((s) => ({
        session_id: s.id,
        created_at: at(s.created_at),
        last_used_at: at(s.last_used_at),
        revoked_at: iso(s.revoked_at),
        revoked_reason: s.revoked_reason,
        user_agent: s.user_agent,
        ip: s.ip,
        current: s.id === caller.sessionId,
      })),
      moderation: sanctions.map((s) => ({ action: s.action as 'warn' | 'suspend' | 'ban', days: s.days, created_at: at(s.created_at) })),
      devices: devices.map((d) => ({
        device_id: d.id,
        session_id: d.session_id,
        platform: d.platform,
        address: d.token,
        created_at: at(d.created_at),
      })),
    };
  }
}

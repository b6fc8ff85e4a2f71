import { revokeUserSessions } from '../auth/sessions.repo.js';
import type { Db } from '../db/database.js';
import type { ModerationAction, ReportStatus } from '../db/schema.js';
import { conflict, invalid, notFound, NOT_FOUND } from '../lib/errors.js';
import type { EventBus } from '../lib/events.js';
import { isoOrNull } from '../lib/time.js';
import { evidenceFor, insertAudit, listAudit, listReports, lockReport, lockTarget, markResolved, suspendAccount } from './moderation.repo.js';
import type { Moderators } from './moderators.js';

/** Messages of the reporter's chat with the reported user shown with each report. */
export const EVIDENCE_MESSAGES = 50;
export const NOTE_MAX = 2000;
export const SUSPENSION_DAYS_MAX = 365;

export const REPORT_NOT_FOUND = NOT_FOUND.report;
export const ALREADY_RESOLVED = 'Report already resolved';
export const MODERATOR_PROTECTED = 'Moderators cannot be suspended or banned';
export const TARGET_GONE = 'The reported account no longer exists';

export interface Resolution {
  action: ModerationAction;
  note?: string | null | undefined;
  days?: number | null | undefined;
}

/**
 * The moderators' use cases: the report queue with its evidence, resolving a report (and the
 * suspension or ban it may impose, effective at once), and the audit log. Who is a moderator is
 * decided before these run (the routes answer 404 to everyone else).
 */
export class ModerationService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly moderators: Moderators,
  ) {}

  async reports(status: ReportStatus, limit: number, offset: number) {
    const rows = await listReports(this.db, status, limit, offset);
    const evidence = new Map<number, Array<{ message_id: number; sender_id: number | null; content: string; sent_at: string }>>();
    for (const m of await evidenceFor(this.db, rows, EVIDENCE_MESSAGES)) {
      const list = evidence.get(m.report_id) ?? [];
      list.push({ message_id: m.id, sender_id: m.sender_id, content: m.content, sent_at: isoOrNull(m.sent_at)! });
      evidence.set(m.report_id, list);
    }
    return rows.map((r) => ({
      report_id: r.id,
      reason: r.reason,
      details: r.details,
      created_at: isoOrNull(r.created_at)!,
      status: r.status,
      reporter: r.reporter_id === null ? null : { user_id: r.reporter_id, name: r.reporter_name },
      reported: {
        user_id: r.reported_user_id,
        name: r.reported_name,
        status: r.reported_status ?? ('deleted' as const),
        reports_open: r.reports_open,
      },
      evidence: evidence.get(r.id) ?? [],
      resolution:
        r.resolution === null ? null : { action: r.resolution, resolved_at: isoOrNull(r.resolved_at), moderator_id: r.resolved_by },
    }));
  }

  /**
   * Resolves an open report. A suspension or ban, the report's resolution and the audit row are
   * one transaction that also revokes every session of the account (under the user row's lock,
   * which a login takes too), so from its commit on the account is out everywhere; its sockets are
   * disconnected right after, on every process.
   */
  async resolve(moderatorId: number, reportId: number, input: Resolution) {
    const { action } = input;
    const days = input.days ?? null;
    if (action === 'suspend' && days === null) {
      throw invalid("Invalid field 'days': required to suspend", [{ field: 'days', message: 'required to suspend' }]);
    }
    if (action !== 'suspend' && days !== null) {
      throw invalid("Invalid field 'days': only allowed to suspend", [{ field: 'days', message: 'only allowed to suspend' }]);
    }
    const note = input.note?.trim() || null;
    if (note !== null && [...note].length > NOTE_MAX) {
      throw invalid(`Invalid field 'note': must be at most ${NOTE_MAX} characters`, [
        { field: 'note', message: `must be at most ${NOTE_MAX} characters` },
      ]);
    }
    const target = await this.db.transaction().execute(async (trx) => {
      const report = await lockReport(trx, reportId);
      if (!report) throw notFound(REPORT_NOT_FOUND);
      if (report.status !== 'open') throw conflict(ALREADY_RESOLVED);
      const targetId = report.reported_user_id;
      if (action === 'suspend' || action === 'ban') {
        const account = await lockTarget(trx, targetId);
        if (!account) throw conflict(TARGET_GONE);
        if (this.moderators.includes(account.email)) throw conflict(MODERATOR_PROTECTED);
        await suspendAccount(trx, targetId, action === 'ban' ? null : days);
        await revokeUserSessions(trx, targetId, action === 'ban' ? 'banned' : 'suspended');
      }
      await markResolved(trx, reportId, action, moderatorId);
      await insertAudit(trx, { moderatorId, action, targetUserId: targetId, reportId, note, days });
      return targetId;
    });
    if (action === 'suspend' || action === 'ban') {
      this.events.publish('userSessionsRevoked', { userId: target, exceptSessionId: null });
    }
    return { report_id: reportId, status: 'resolved' as const, action };
  }

  async audit(limit: number, offset: number) {
    return (await listAudit(this.db, limit, offset)).map((a) => ({
      audit_id: a.id,
      moderator_id: a.moderator_id,
      action: a.action,
      target_user_id: a.target_user_id,
      report_id: a.report_id,
      note: a.note,
      days: a.days,
      created_at: isoOrNull(a.created_at)!,
    }));
  }
}

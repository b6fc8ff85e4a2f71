import { createHash } from 'node:crypto';
import type { PushKindColumn } from '../db/schema.js';
import type { PushMessage } from './providers/types.js';

/** What a queued push carries: the notification and the device it goes to. */
export interface PushJob {
  outboxId: number;
  deviceId: number;
  userId: number;
  kind: PushKindColumn;
  aboutUserId: number | null;
  matchId: number | null;
  chatId: number | null;
  messageId: number | null;
  /** Provider-answered retries so far (0 on the first try). */
  attempt: number;
}

/** The preview of a new_message push: the first 100 characters (code points, as the message limit counts). */
export const PREVIEW_CHARACTERS = 100;

/** How long a provider may hold each kind for an offline device. */
const TTL_SECONDS: Record<PushKindColumn, number> = {
  match_requested: 86_400,
  match_accepted: 86_400,
  new_message: 6 * 3600,
  daily_picks: 12 * 3600,
};

/**
 * The stable id of one (notification, device) delivery, as a UUID (APNs `apns-id` wants one): the
 * same on every retry, different for every device.
 */
export function deliveryIdOf(outboxId: number, deviceId: number): string {
  const h = createHash('sha256').update(`push:${outboxId}:${deviceId}`).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The Korean texts and the `data` object (string values: FCM's rule) of one push. */
export function renderPush(
  job: PushJob,
  context: { aboutName: string | null; pushPreviews: boolean; messageContent: string | null },
): PushMessage {
  const name = context.aboutName ?? '';
  const deliveryId = deliveryIdOf(job.outboxId, job.deviceId);
  const common = { kind: job.kind, ttlSeconds: TTL_SECONDS[job.kind], deliveryId };
  switch (job.kind) {
    case 'match_requested':
      return {
        ...common,
        title: '새 대화 요청',
        body: `${name}님이 대화를 신청했어요.`,
        data: { type: 'match_requested', match_id: String(job.matchId) },
        collapseKey: `match:${job.matchId}`,
      };
    case 'match_accepted':
      return {
        ...common,
        title: '대화 요청이 수락됐어요',
        body: `${name}님과 대화를 시작해 보세요.`,
        data: { type: 'match_accepted', match_id: String(job.matchId), chat_id: String(job.chatId) },
        collapseKey: `match:${job.matchId}`,
      };
    case 'new_message': {
      const preview = context.pushPreviews && context.messageContent !== null
        ? Array.from(context.messageContent).slice(0, PREVIEW_CHARACTERS).join('')
        : '새 메시지가 도착했어요.';
      return {
        ...common,
        title: name,
        body: preview,
        data: { type: 'new_message', chat_id: String(job.chatId), message_id: String(job.messageId) },
        collapseKey: `chat:${job.chatId}`,
      };
    }
    case 'daily_picks':
      return {
        ...common,
        title: '오늘의 추천이 도착했어요',
        body: '오늘의 인연을 확인해 보세요.',
        data: { type: 'daily_picks' },
        collapseKey: 'daily_picks',
      };
  }
}

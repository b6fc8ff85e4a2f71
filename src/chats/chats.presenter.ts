import type { StoredMessage } from './chat-delivery.js';
import type { ChatListRow } from './chats.repo.js';
import type { MessageSummaryRow } from './message-row.js';
import type { ChatSummaryView, HistoryMessageView, MessageView } from './chats.schemas.js';

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** The object of the sendMessage ack, the `newMessage` event and the REST send. Built once per
 * message (the ack and the fan-out share it; neither changes it). */
export function presentMessage(m: StoredMessage): MessageView {
  return (m.view ??= {
    message_id: m.id,
    chat_id: m.chatId,
    sender_id: m.senderId,
    content: m.content,
    sent_at: iso(m.sentAt),
    client_msg_id: m.clientMsgId,
  });
}

export function presentHistoryMessage(r: MessageSummaryRow): HistoryMessageView {
  return { message_id: r.id, sender_id: r.sender_id, content: r.content, sent_at: iso(r.sent_at) };
}

export function presentChat(r: ChatListRow): ChatSummaryView {
  return {
    chat_id: r.chat_id,
    partner: { user_id: r.partner_id, name: r.partner_name, profile_img_url: r.partner_img, active_recently: r.partner_active_recently },
    last_message:
      r.last_id === null
        ? null
        : { message_id: r.last_id, sender_id: r.last_sender_id!, content: r.last_content!, sent_at: iso(r.last_sent_at!) },
    unread_count: r.unread_count,
  };
}

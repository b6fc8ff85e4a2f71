import type { ApiResponse, SocketMessage } from '../../../client/index.js';
import { api, call, errorText, session } from '../api.js';
import { formatTime, h, replace, srOnly } from '../dom.js';
import { realtime } from '../realtime.js';
import { avatar, errorBox, loading, screenTitle, type Screen } from '../ui.js';

type ChatSummary = ApiResponse<'/api/chats', 'get'>[number] & { partner: { active_recently?: boolean | null } };

export const chatListScreen: Screen = ({ main, alive }) => {
  const list = h('ul', { class: 'chat-list', role: 'list' });
  const body = h('div', {}, loading());
  main.append(screenTitle('채팅'), body);
  let chats: ChatSummary[] = [];

  const draw = () => {
    if (chats.length === 0) {
      replace(body, h('p', { class: 'empty' }, '아직 열린 채팅이 없어요. 대화 신청이 수락되면 여기에 채팅이 생겨요.'));
      return;
    }
    replace(list, chats.map(chatItem));
    if (list.parentElement !== body) replace(body, list);
  };
  const load = async () => {
    try {
      chats = (await call(api.GET('/api/chats'))) as ChatSummary[];
      if (alive()) draw();
    } catch (error) {
      if (alive()) replace(body, errorBox(errorText(error), () => void load()));
    }
  };
  void load();

  // Live: a new message moves its chat to the top and (from the partner) raises its badge.
  const onMessage = (m: SocketMessage) => {
    const index = chats.findIndex((c) => c.chat_id === m.chat_id);
    if (index < 0) return void load();
    const [chat] = chats.splice(index, 1);
    if (!chat) return;
    if (chat.last_message && chat.last_message.message_id >= m.message_id) {
      chats.splice(index, 0, chat);
      return;
    }
    chat.last_message = { message_id: m.message_id, sender_id: m.sender_id, content: m.content, sent_at: m.sent_at };
    if (m.sender_id !== session.user?.user_id) chat.unread_count += 1;
    chats.unshift(chat);
    draw();
  };
  const offMessage = realtime.on('newMessage', onMessage);
  const offAccepted = realtime.on('matchAccepted', () => void load());
  const offConnect = realtime.onConnect(() => void load()); // catch up on what a disconnect missed
  return () => {
    offMessage();
    offAccepted();
    offConnect();
  };
};

function chatItem(chat: ChatSummary): HTMLElement {
  const last = chat.last_message;
  const mine = last && last.sender_id === session.user?.user_id;
  return h(
    'li',
    { class: 'chat-item' },
    avatar(chat.partner.name, chat.partner.profile_img_url),
    h(
      'div',
      { class: 'chat-text' },
      h(
        'a',
        { class: 'chat-link', href: `#/chats/${chat.chat_id}` },
        h('span', { class: 'chat-name' }, chat.partner.name),
        // The number is drawn for the eye; the name carries it in words ("민지 읽지 않은 메시지 2개").
        chat.unread_count > 0 ? h('span', { class: 'badge', 'aria-hidden': 'true' }, String(chat.unread_count)) : null,
        chat.unread_count > 0 ? srOnly(` 읽지 않은 메시지 ${chat.unread_count}개`) : null,
      ),
      h(
        'p',
        { class: 'preview' },
        last ? `${mine ? '나: ' : ''}${last.content}` : '아직 메시지가 없어요. 먼저 인사해 보세요!',
      ),
      last ? h('p', { class: 'meta' }, h('time', { datetime: last.sent_at }, formatTime(last.sent_at))) : null,
      chat.partner.active_recently ? h('p', { class: 'meta' }, '최근 24시간 안에 활동') : null,
    ),
  );
}

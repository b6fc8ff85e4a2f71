import type { ChatMessage, SocketMessage } from '../../../client/index.js';
import { api, call, errorText, session, sleep } from '../api.js';
import { formatTime, h, replace, srOnly } from '../dom.js';
import { realtime } from '../realtime.js';
import { errorBox, loading, screenTitle, type Screen } from '../ui.js';

const PAGE = 30;
const CATCH_UP_PAGE = 100;
const ACK_TIMEOUT_MS = 8000;
const TYPING_SEND_EVERY_MS = 2000;
const TYPING_SHOW_MS = 4000;

interface Pending {
  clientMsgId: string;
  content: string;
  li: HTMLLIElement;
  attempts: number;
  sending: boolean;
}

/** A client_msg_id: the idempotency key that makes a resend after a lost ack store nothing new. */
function newClientMsgId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // http:// on a LAN has no randomUUID
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function ackErrorText(error: string): string {
  if (/too many|rate/i.test(error)) return '메시지를 너무 빨리 보내고 있어요. 잠시 후 다시 보내 주세요.';
  if (/5000|empty|content/i.test(error)) return '메시지는 1자 이상 5000자 이하로 보내 주세요.';
  if (/block|not found|participant|member/i.test(error)) return '이 채팅에는 더 이상 메시지를 보낼 수 없어요.';
  return '메시지를 보내지 못했어요.';
}

export const chatRoomScreen: Screen = ({ main, params, alive }) => {
  const chatId = Number(params[0]);
  const myId = session.user?.user_id;
  const title = screenTitle('채팅');
  const back = h('a', { class: 'back', href: '#/chats' }, '← 채팅 목록');
  const body = h('div', { class: 'room' }, loading());
  main.append(back, title, body);
  if (!Number.isInteger(chatId) || chatId <= 0) {
    replace(body, errorBox('채팅을 찾을 수 없어요.'));
    return;
  }

  let partnerName = '상대';
  let partnerId = 0;
  const messages = new Map<number, HTMLLIElement>();
  let newestId = 0;
  let oldestId = 0;
  let partnerReadId = 0;
  const pending = new Map<string, Pending>();

  const list = h('ol', { class: 'messages', role: 'list', 'aria-label': '대화 내용' });
  const olderButton = h('button', { type: 'button', class: 'secondary small', hidden: true }, '이전 메시지 더 보기');
  const typing = h('p', { class: 'typing', 'aria-live': 'polite' });
  const announcer = h('div', { class: 'sr-only', 'aria-live': 'polite' });
  const input = h('input', { type: 'text', id: 'message-input', autocomplete: 'off', maxlength: 5000, enterkeyhint: 'send' });
  const sendButton = h('button', { type: 'submit' }, '보내기');
  const formError = h('p', { class: 'form-message fail', role: 'alert' });
  const form = h(
    'form',
    { class: 'composer' },
    h('label', { for: input.id, class: 'sr-only' }, '메시지'),
    input,
    sendButton,
  );

  function statusText(m: { message_id: number; sender_id: number }): string {
    if (m.sender_id !== myId) return '';
    return partnerReadId >= m.message_id ? '읽음' : '';
  }

  function messageItem(m: ChatMessage | SocketMessage): HTMLLIElement {
    const mine = m.sender_id === myId;
    const li = h(
      'li',
      { class: `message ${mine ? 'mine' : 'theirs'}`, 'data-id': m.message_id },
      srOnly(mine ? '나: ' : `${partnerName}: `),
      h('p', { class: 'bubble' }, m.content),
      h(
        'p',
        { class: 'meta' },
        h('time', { datetime: m.sent_at }, formatTime(m.sent_at)),
        h('span', { class: 'read', 'data-sender': m.sender_id }, statusText(m)),
      ),
    );
    return li;
  }

  /** Puts a stored message in its place by message_id (the server's order), once. */
  function insert(m: ChatMessage | SocketMessage, announce = false): void {
    const clientMsgId = 'client_msg_id' in m ? m.client_msg_id : null;
    if (clientMsgId && pending.has(clientMsgId)) {
      pending.get(clientMsgId)!.li.remove();
      pending.delete(clientMsgId);
    }
    if (messages.has(m.message_id)) return;
    const li = messageItem(m);
    messages.set(m.message_id, li);
    const after = [...messages.keys()].filter((id) => id > m.message_id).sort((a, b) => a - b)[0];
    const firstPending = [...pending.values()][0]?.li ?? null;
    list.insertBefore(li, after !== undefined ? messages.get(after)! : firstPending);
    newestId = Math.max(newestId, m.message_id);
    oldestId = oldestId === 0 ? m.message_id : Math.min(oldestId, m.message_id);
    if (announce && m.sender_id !== myId) replace(announcer, `${partnerName}: ${m.content}`);
  }

  function scrollToEnd(): void {
    list.lastElementChild?.scrollIntoView({ block: 'end' });
  }

  /** Moves my read mark to the newest message when the page is in view. */
  function markRead(): void {
    if (newestId === 0 || document.visibilityState !== 'visible') return;
    const socket = realtime.current;
    if (socket?.connected) socket.emit('markRead', { chat_id: chatId, message_id: newestId });
    else void api.POST('/api/chats/{chat_id}/read', { params: { path: { chat_id: chatId } }, body: { message_id: newestId } });
  }

  function refreshReadMarks(): void {
    for (const span of list.querySelectorAll<HTMLSpanElement>('.read')) {
      const li = span.closest('li');
      const id = Number(li?.dataset.id);
      if (Number(span.dataset.sender) === myId && id) span.textContent = partnerReadId >= id ? '읽음' : '';
    }
  }

  // ---- sending: an optimistic bubble, an ack-confirmed store, safe retries with one key ----
  function pendingItem(p: Omit<Pending, 'li'>): HTMLLIElement {
    return h('li', { class: 'message mine pending', 'aria-busy': 'true' }, srOnly('나: '), h('p', { class: 'bubble' }, p.content), h('p', { class: 'meta' }, '보내는 중…'));
  }

  function setPendingState(p: Pending, text: string, retry: boolean): void {
    const meta = p.li.querySelector('.meta')!;
    replace(meta, text);
    p.li.setAttribute('aria-busy', String(!retry && text === '보내는 중…'));
    if (retry) {
      const again = h('button', { type: 'button', class: 'link' }, '다시 보내기');
      again.addEventListener('click', () => {
        p.attempts = 0;
        void deliver(p);
      });
      meta.append(' ', again);
    }
  }

  async function deliver(p: Pending): Promise<void> {
    if (p.sending || !pending.has(p.clientMsgId)) return;
    p.sending = true;
    p.attempts += 1;
    setPendingState(p, '보내는 중…', false);
    const payload = { chat_id: chatId, content: p.content, client_msg_id: p.clientMsgId };
    try {
      const socket = realtime.current;
      let stored: SocketMessage | ChatMessage;
      if (socket?.connected) {
        const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('sendMessage', payload);
        if (!ack.ok) {
          p.sending = false;
          setPendingState(p, ackErrorText(ack.error), true);
          return;
        }
        stored = ack.message;
      } else {
        // No socket right now: the REST fallback, same key, same fan-out.
        stored = await call(api.POST('/api/chats/{chat_id}/messages', { params: { path: { chat_id: chatId } }, body: { content: p.content, client_msg_id: p.clientMsgId } }));
      }
      p.sending = false;
      insert(stored);
      scrollToEnd();
    } catch (error) {
      p.sending = false;
      // Timeout or network: the message may or may not be stored. Resending with the same
      // client_msg_id is safe either way (the server answers the original).
      const status = (error as { status?: number }).status;
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
        setPendingState(p, errorText(error), true);
      } else if (p.attempts < 4) {
        setPendingState(p, '연결이 불안정해요. 다시 보내는 중…', false);
        await sleep(1000 * p.attempts);
        void deliver(p);
      } else {
        setPendingState(p, '보내지 못했어요.', true);
      }
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const content = input.value.trim();
    replace(formError);
    if (!content) return;
    if (content.length > 5000) {
      replace(formError, '메시지는 5000자까지 보낼 수 있어요.');
      return;
    }
    input.value = '';
    const p: Pending = { clientMsgId: newClientMsgId(), content, attempts: 0, sending: false, li: document.createElement('li') };
    p.li = pendingItem(p);
    pending.set(p.clientMsgId, p);
    list.append(p.li);
    scrollToEnd();
    void deliver(p);
    input.focus();
  });

  let lastTypingSent = 0;
  input.addEventListener('input', () => {
    const now = Date.now();
    if (!input.value || now - lastTypingSent < TYPING_SEND_EVERY_MS) return;
    lastTypingSent = now;
    realtime.current?.emit('typing', { chat_id: chatId });
  });

  // ---- loading, live events, catch-up ----
  async function loadOlder(): Promise<void> {
    olderButton.disabled = true;
    try {
      const page = await call(api.GET('/api/chats/{chat_id}/messages', { params: { path: { chat_id: chatId }, query: { limit: PAGE, before: oldestId } } }));
      const firstBefore = list.firstElementChild;
      for (const m of page) insert(m);
      olderButton.hidden = page.length < PAGE;
      firstBefore?.scrollIntoView({ block: 'start' });
    } catch (error) {
      replace(formError, errorText(error));
    } finally {
      olderButton.disabled = false;
    }
  }
  olderButton.addEventListener('click', () => void loadOlder());

  /** After a reconnect: everything newer than the newest message seen, oldest first, in pages. */
  async function catchUp(): Promise<void> {
    if (newestId === 0) return void load();
    for (;;) {
      const page = await call(api.GET('/api/chats/{chat_id}/messages', { params: { path: { chat_id: chatId }, query: { after: newestId, limit: CATCH_UP_PAGE } } }));
      if (!alive()) return;
      for (const m of page) insert(m, true);
      if (page.length < CATCH_UP_PAGE) break;
    }
    scrollToEnd();
    markRead();
    for (const p of pending.values()) void deliver(p); // unacked sends: same key again
  }

  async function load(): Promise<void> {
    try {
      const [chats, page] = await Promise.all([
        call(api.GET('/api/chats')),
        call(api.GET('/api/chats/{chat_id}/messages', { params: { path: { chat_id: chatId }, query: { limit: PAGE } } })),
      ]);
      if (!alive()) return;
      const chat = chats.find((c) => c.chat_id === chatId);
      if (chat) {
        partnerName = chat.partner.name;
        partnerId = chat.partner.user_id;
      }
      replace(title, partnerName);
      document.title = `${partnerName}님과의 대화 · 사주 소개팅`;
      for (const m of [...page].reverse()) insert(m);
      olderButton.hidden = page.length < PAGE;
      replace(
        body,
        olderButton,
        messages.size === 0 ? h('p', { class: 'empty', id: 'no-messages' }, `${partnerName}님과 대화가 시작됐어요. 먼저 인사해 보세요!`) : null,
        list,
        typing,
        announcer,
        formError,
        form,
      );
      scrollToEnd();
      markRead();
    } catch (error) {
      if (alive()) replace(body, errorBox(errorText(error), () => void load()));
    }
  }
  void load();

  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  const offs = [
    realtime.on('newMessage', (m) => {
      if (m.chat_id !== chatId) return;
      document.getElementById('no-messages')?.remove();
      insert(m, true);
      scrollToEnd();
      if (m.sender_id !== myId) {
        replace(typing);
        markRead();
      }
    }),
    realtime.on('typing', (e) => {
      if (e.chat_id !== chatId || e.user_id === myId) return;
      replace(typing, `${partnerName}님이 입력 중…`);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => replace(typing), TYPING_SHOW_MS);
    }),
    realtime.on('messagesRead', (e) => {
      if (e.chat_id !== chatId || e.user_id === myId || (partnerId && e.user_id !== partnerId)) return;
      partnerReadId = Math.max(partnerReadId, e.message_id);
      refreshReadMarks();
    }),
    realtime.onConnect(() => void catchUp().catch(() => undefined)),
  ];
  const onVisible = () => markRead();
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    clearTimeout(typingTimer);
    document.removeEventListener('visibilitychange', onVisible);
    for (const off of offs) off();
  };
};

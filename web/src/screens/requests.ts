import type { ApiResponse } from '../../../client/index.js';
import { api, call, errorText } from '../api.js';
import { formatDateTime, h, replace, uid } from '../dom.js';
import { realtime } from '../realtime.js';
import { avatar, errorBox, loading, screenTitle, type Screen } from '../ui.js';

type MatchItem = ApiResponse<'/api/matches', 'get'>[number];

export const requestsScreen: Screen = ({ main, alive }) => {
  const received = h('section', { 'aria-labelledby': 'received-title' });
  const sent = h('section', { 'aria-labelledby': 'sent-title' });
  main.append(screenTitle('대화 요청'), received, sent);

  const load = async () => {
    replace(received, h('h2', { id: 'received-title' }, '받은 신청'), loading());
    replace(sent, h('h2', { id: 'sent-title' }, '보낸 신청'), loading());
    try {
      const [inbox, outbox] = await Promise.all([
        call(api.GET('/api/matches', { params: { query: { direction: 'received', status: 'requested' } } })),
        call(api.GET('/api/matches', { params: { query: { direction: 'sent', status: 'requested' } } })),
      ]);
      if (!alive()) return;
      replace(
        received,
        h('h2', { id: 'received-title' }, `받은 신청 ${inbox.length}건`),
        inbox.length === 0
          ? h('p', { class: 'empty' }, '아직 받은 신청이 없어요.')
          : h('ul', { class: 'plain-list' }, inbox.map((m) => h('li', {}, receivedCard(m)))),
      );
      replace(
        sent,
        h('h2', { id: 'sent-title' }, `보낸 신청 ${outbox.length}건`),
        outbox.length === 0
          ? h('p', { class: 'empty' }, '답을 기다리는 신청이 없어요. 오늘의 추천에서 마음에 드는 분께 신청해 보세요.')
          : h('ul', { class: 'plain-list' }, outbox.map((m) => h('li', {}, sentCard(m)))),
      );
    } catch (error) {
      if (alive()) replace(received, errorBox(errorText(error), () => void load()));
    }
  };
  void load();
  // A new request arrives while this screen is open: show it.
  const off = realtime.on('matchRequested', () => void load());
  const offAccepted = realtime.on('matchAccepted', () => void load());
  return () => {
    off();
    offAccepted();
  };
};

function personSummary(m: MatchItem, headingId: string): HTMLElement {
  return h(
    'div',
    { class: 'person-head' },
    avatar(m.partner.name, m.partner.profile_img_url),
    h(
      'div',
      {},
      h('h3', { id: headingId }, m.partner.name),
      h('p', { class: 'meta' }, `만 ${m.partner.age}세`, m.compatibility_score !== null ? ` · 궁합 ${m.compatibility_score}점` : ''),
      h('p', { class: 'meta' }, h('time', { datetime: m.created_at }, formatDateTime(m.created_at))),
    ),
  );
}

function receivedCard(m: MatchItem): HTMLElement {
  const headingId = uid('req');
  const status = h('p', { class: 'card-status', 'aria-live': 'polite' });
  const accept = h('button', { type: 'button' }, '수락');
  const decline = h('button', { type: 'button', class: 'secondary' }, '거절');
  const actions = h('div', { class: 'actions' }, accept, decline);
  accept.addEventListener('click', async () => {
    accept.disabled = decline.disabled = true;
    try {
      const result = await call(api.POST('/api/matches/{match_id}/accept', { params: { path: { match_id: m.match_id } } }));
      replace(actions, h('a', { class: 'button', href: `#/chats/${result.chat_id}` }, `${m.partner.name}님과 채팅하기`));
      replace(status, '수락했어요. 이제 대화할 수 있어요.');
    } catch (error) {
      accept.disabled = decline.disabled = false;
      replace(status, errorText(error));
    }
  });
  decline.addEventListener('click', async () => {
    accept.disabled = decline.disabled = true;
    try {
      await call(api.POST('/api/matches/{match_id}/decline', { params: { path: { match_id: m.match_id } } }));
      actions.remove();
      replace(status, '거절했어요. 상대에게는 알리지 않아요.');
    } catch (error) {
      accept.disabled = decline.disabled = false;
      replace(status, errorText(error));
    }
  });
  return h('article', { class: 'card', 'aria-labelledby': headingId }, personSummary(m, headingId), actions, status);
}

function sentCard(m: MatchItem): HTMLElement {
  const headingId = uid('sent');
  const status = h('p', { class: 'card-status', 'aria-live': 'polite' }, '상대의 답을 기다리는 중이에요.');
  const cancel = h('button', { type: 'button', class: 'secondary' }, '신청 취소');
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await call(api.POST('/api/matches/{match_id}/cancel', { params: { path: { match_id: m.match_id } } }));
      cancel.remove();
      replace(status, '신청을 취소했어요.');
    } catch (error) {
      cancel.disabled = false;
      replace(status, errorText(error));
    }
  });
  return h('article', { class: 'card', 'aria-labelledby': headingId }, personSummary(m, headingId), h('div', { class: 'actions' }, cancel), status);
}

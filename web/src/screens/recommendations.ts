import { api, call, errorText } from '../api.js';
import type { ApiResponse } from '../../../client/index.js';
import { h, replace, srOnly, uid } from '../dom.js';
import { avatar, errorBox, loading, REGION_LABELS, screenTitle, type Screen } from '../ui.js';

type Recommendation = ApiResponse<'/api/matches/recommendations', 'get'>[number] & { region?: string | null };
type Compatibility = ApiResponse<'/api/matches/compatibility/{user_id}', 'get'>;

export const recommendationsScreen: Screen = ({ main, alive }) => {
  const list = h('div', { class: 'cards' }, loading());
  main.append(
    screenTitle('오늘의 추천'),
    h('p', { class: 'lead' }, '사주 궁합이 좋은 순서로 오늘의 인연을 골랐어요. 추천은 매일 새로 바뀌어요.'),
    list,
  );
  const load = async () => {
    replace(list, loading());
    try {
      const people = await call(api.GET('/api/matches/recommendations', { params: { query: { limit: 10 } } }));
      if (!alive()) return;
      if (people.length === 0) {
        replace(list, h('p', { class: 'empty' }, '오늘 추천할 분이 아직 없어요. 프로필의 추천 조건을 넓혀 보거나 내일 다시 와 주세요.'));
      } else {
        replace(list, people.map((p) => personCard(p as Recommendation)));
      }
    } catch (error) {
      if (alive()) replace(list, errorBox(errorText(error), () => void load()));
    }
  };
  void load();
};

function personCard(person: Recommendation): HTMLElement {
  const nameId = uid('person');
  const panelId = uid('breakdown');
  const status = h('p', { class: 'card-status', 'aria-live': 'polite' });
  const requestButton = h('button', { type: 'button' }, '대화 신청');
  const detailsButton = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': panelId }, '궁합 자세히');
  const panel = h('div', { id: panelId, class: 'breakdown-panel', hidden: true });
  const place = [person.region ? REGION_LABELS[person.region] : null, person.location].filter(Boolean).join(' · ');

  requestButton.addEventListener('click', async () => {
    requestButton.disabled = true;
    try {
      const result = await call(api.POST('/api/matches/request', { body: { receiver_id: person.user_id } }));
      replace(requestButton, '신청 완료');
      if (result.status === 'matched' && result.chat_id) {
        replace(status, `${person.name}님도 신청했었어요! 바로 대화할 수 있어요. `, h('a', { href: `#/chats/${result.chat_id}` }, '채팅 열기'));
      } else {
        replace(status, `${person.name}님에게 대화를 신청했어요. 수락하면 채팅이 열려요.`);
      }
    } catch (error) {
      requestButton.disabled = false;
      replace(status, errorText(error));
    }
  });

  let loaded = false;
  detailsButton.addEventListener('click', async () => {
    const open = detailsButton.getAttribute('aria-expanded') !== 'true';
    detailsButton.setAttribute('aria-expanded', String(open));
    panel.hidden = !open;
    if (!open || loaded) return;
    replace(panel, loading('궁합을 풀어 보는 중…'));
    try {
      const data = await call(api.GET('/api/matches/compatibility/{user_id}', { params: { path: { user_id: person.user_id } } }));
      loaded = true;
      replace(panel, breakdownChart(data, person.name));
    } catch (error) {
      replace(panel, errorBox(errorText(error)));
    }
  });

  return h(
    'article',
    { class: 'card person', 'aria-labelledby': nameId },
    h(
      'div',
      { class: 'person-head' },
      avatar(person.name, person.profile_img_url, 'large'),
      h(
        'div',
        {},
        h('h2', { id: nameId }, person.name),
        h('p', { class: 'meta' }, `만 ${person.age}세`, place ? ` · ${place}` : ''),
        h('p', { class: 'score' }, `궁합 ${person.compatibility_score}점`),
      ),
    ),
    person.bio ? h('p', { class: 'bio' }, person.bio) : h('p', { class: 'bio muted' }, '아직 자기소개가 없어요.'),
    person.profile_img_url ? h('p', { class: 'photo-url' }, '사진 주소: ', h('a', { href: person.profile_img_url, rel: 'noopener noreferrer', target: '_blank' }, shorten(person.profile_img_url))) : null,
    h('div', { class: 'actions' }, requestButton, detailsButton),
    status,
    panel,
  );
}

function shorten(url: string): string {
  return url.length > 48 ? `${url.slice(0, 45)}…` : url;
}

const signed = (n: number) => (n > 0 ? `+${n}점` : n < 0 ? `-${Math.abs(n)}점` : '0점');

/**
 * The breakdown as a waterfall: each rule's bar starts where the running total stands and goes
 * right (adds, green) or left (subtracts, red); the last bar is the total, the score.
 */
export function breakdownChart(data: Compatibility, name: string): HTMLElement {
  let running = 0;
  const steps = data.breakdown.map((row) => {
    const start = running;
    running += row.points;
    return { ...row, start, end: running };
  });
  const lo = Math.min(0, ...steps.map((s) => Math.min(s.start, s.end)));
  const hi = Math.max(100, ...steps.map((s) => Math.max(s.start, s.end)));
  const pct = (v: number) => ((v - lo) / (hi - lo)) * 100;
  const bar = (from: number, to: number, kind: string) => {
    const el = h('span', { class: `bar ${kind}` });
    el.style.left = `${pct(Math.min(from, to))}%`;
    el.style.width = `${Math.max(0.6, pct(Math.max(from, to)) - pct(Math.min(from, to)))}%`;
    return h('span', { class: 'bar-track', 'aria-hidden': 'true' }, el);
  };
  const captionId = uid('cap');
  return h(
    'figure',
    { class: 'breakdown', 'aria-labelledby': captionId },
    h('figcaption', { id: captionId }, `${name}님과의 궁합 ${data.compatibility_score}점은 이렇게 나왔어요`),
    h(
      'ol',
      { class: 'bars' },
      steps.map((s) =>
        h(
          'li',
          { class: s.points >= 0 ? 'plus' : 'minus' },
          h('span', { class: 'desc' }, s.description),
          bar(s.rule === 'base' ? 0 : s.start, s.end, s.rule === 'base' ? 'base' : s.points >= 0 ? 'plus' : 'minus'),
          h('span', { class: 'pts' }, signed(s.points)),
        ),
      ),
      h(
        'li',
        { class: 'total' },
        h('span', { class: 'desc' }, '합계'),
        bar(0, data.compatibility_score, 'total'),
        h('span', { class: 'pts' }, srOnly('궁합 '), `${data.compatibility_score}점`),
      ),
    ),
    h('p', { class: 'summary' }, data.summary),
  );
}

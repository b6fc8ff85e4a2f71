import { h, replace } from './dom.js';

export interface ScreenContext {
  main: HTMLElement;
  /** Path segments after the screen's own, e.g. the chat id. */
  params: string[];
  /** Whether this screen is still the one shown (async work checks before touching the page). */
  alive(): boolean;
}

/** A screen draws into main and returns what to undo when it is left. */
export type Screen = (ctx: ScreenContext) => void | (() => void);

/** The screen's title: one h1, focused on arrival so screen readers announce the new screen. */
export function screenTitle(text: string): HTMLHeadingElement {
  document.title = `${text} · 사주 소개팅`;
  return h('h1', { tabindex: -1, class: 'screen-title' }, text);
}

export function loading(text = '불러오는 중…'): HTMLParagraphElement {
  return h('p', { class: 'muted', role: 'status' }, text);
}

/** An error box that screen readers announce. */
export function errorBox(text: string, retry?: () => void): HTMLDivElement {
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', {}, text),
    retry ? h('button', { type: 'button', class: 'secondary', onclick: retry }, '다시 시도') : null,
  );
}

/** Where a form's result is shown (success or error), announced politely or assertively. */
export function formMessage(): { el: HTMLParagraphElement; ok(text: string): void; fail(text: string): void; clear(): void } {
  const el = h('p', { class: 'form-message', 'aria-live': 'polite' });
  return {
    el,
    ok(text) {
      el.className = 'form-message ok';
      el.setAttribute('role', 'status');
      replace(el, text);
    },
    fail(text) {
      el.className = 'form-message fail';
      el.setAttribute('role', 'alert');
      replace(el, text);
    },
    clear() {
      replace(el);
    },
  };
}

let toastRegion: HTMLElement | null = null;

/** A short notice (new request, accepted…) shown for a few seconds and read by screen readers. */
export function toast(text: string): void {
  if (!toastRegion) {
    toastRegion = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastRegion);
  }
  const item = h('p', { class: 'toast' }, text);
  toastRegion.append(item);
  setTimeout(() => item.remove(), 5000);
}

/** A profile photo by URL, or the first letter of the name in a circle. */
export function avatar(name: string, url: string | null | undefined, size: 'small' | 'large' = 'small'): HTMLElement {
  const initial = h('span', { class: `avatar ${size}`, 'aria-hidden': 'true' }, Array.from(name)[0] ?? '?');
  if (!url) return initial;
  const img = h('img', { class: `avatar ${size}`, src: url, alt: `${name} 프로필 사진`, loading: 'lazy', referrerpolicy: 'no-referrer' });
  img.addEventListener('error', () => img.replaceWith(initial), { once: true });
  return img;
}

export const GENDER_LABELS = { male: '남성', female: '여성', other: '기타' } as const;

export const REGION_LABELS: Record<string, string> = {
  seoul: '서울',
  busan: '부산',
  daegu: '대구',
  incheon: '인천',
  gwangju: '광주',
  daejeon: '대전',
  ulsan: '울산',
  sejong: '세종',
  gyeonggi: '경기',
  gangwon: '강원',
  chungbuk: '충북',
  chungnam: '충남',
  jeonbuk: '전북',
  jeonnam: '전남',
  gyeongbuk: '경북',
  gyeongnam: '경남',
  jeju: '제주',
};

export const ELEMENT_LABELS = { wood: '목(木)', fire: '화(火)', earth: '토(土)', metal: '금(金)', water: '수(水)' } as const;
export type ElementName = keyof typeof ELEMENT_LABELS;

import { enter } from './account.js';
import { session } from './api.js';
import { h, replace } from './dom.js';
import { realtime } from './realtime.js';
import { loginScreen, signupScreen } from './screens/auth.js';
import { chatListScreen } from './screens/chats.js';
import { chatRoomScreen } from './screens/chat-room.js';
import { profileScreen } from './screens/profile.js';
import { recommendationsScreen } from './screens/recommendations.js';
import { requestsScreen } from './screens/requests.js';
import { sajuScreen } from './screens/saju.js';
import { navigate, setRenderer } from './router.js';
import { toast, type Screen } from './ui.js';

const PUBLIC: Record<string, Screen> = { login: loginScreen, signup: signupScreen };
const PRIVATE: Record<string, Screen> = {
  recommendations: recommendationsScreen,
  requests: requestsScreen,
  chats: chatListScreen,
  saju: sajuScreen,
  profile: profileScreen,
};
const NAV: [string, string][] = [
  ['recommendations', '오늘의 추천'],
  ['requests', '대화 요청'],
  ['chats', '채팅'],
  ['saju', '내 사주'],
  ['profile', '프로필'],
];

const root = document.getElementById('app')!;
let cleanup: (() => void) | void;
let generation = 0;

function route(): { name: string; params: string[] } {
  const [name = '', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { name, params };
}


function render(): void {
  const { name, params } = route();
  if (!session.signedIn && !PUBLIC[name]) {
    if (location.hash !== '#/login' && location.hash !== '#/signup') return navigate('#/login');
  }
  if (session.signedIn && (PUBLIC[name] || !PRIVATE[name])) {
    return navigate('#/recommendations');
  }
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  generation += 1;
  const mine = generation;

  const main = h('main', { id: 'main', tabindex: -1 });
  if (session.signedIn) {
    const current = name;
    const nav = h(
      'nav',
      { class: 'tabs', 'aria-label': '주 메뉴' },
      h(
        'ul',
        {},
        NAV.map(([key, label]) =>
          h('li', {}, h('a', { href: `#/${key}`, 'aria-current': key === current ? 'page' : null }, label)),
        ),
      ),
    );
    const status = h('p', { class: `connection ${realtime.state}`, 'aria-live': 'polite' });
    const header = h('header', { class: 'app-header' }, h('p', { class: 'brand' }, '사주 소개팅'), status);
    replace(root, header, main, nav);
    const showState = () => replace(status, realtime.state === 'online' ? '' : realtime.state === 'connecting' ? '연결 중…' : '연결 끊김 · 다시 연결하는 중');
    showState();
    const offState = realtime.onState(showState);
    // #/chats/12 is a chat room; #/chats the list.
    const screen = name === 'chats' && params[0] ? chatRoomScreen : PRIVATE[name]!;
    const undo = screen({ main, params, alive: () => mine === generation });
    cleanup = () => {
      offState();
      if (typeof undo === 'function') undo();
    };
  } else {
    replace(root, h('header', { class: 'app-header' }, h('p', { class: 'brand' }, '사주 소개팅')), main);
    cleanup = PUBLIC[name]!({ main, params, alive: () => mine === generation });
  }
  const title = main.querySelector<HTMLElement>('h1');
  (title ?? main).focus({ preventScroll: false });
}


session.onLoggedOut(() => {
  realtime.stop();
  navigate('#/login');
});

realtime.on('matchRequested', (event) => {
  toast(`${event.requester.name}님이 대화를 신청했어요 (궁합 ${event.compatibility_score}점)`);
});
realtime.on('matchAccepted', (event) => {
  toast(`${event.partner.name}님이 대화 신청을 수락했어요. 채팅에서 인사해 보세요!`);
});

async function boot(): Promise<void> {
  if (session.hasStoredLogin() && (await session.refresh())) {
    try {
      await enter();
    } catch {
      session.end();
    }
  }
  setRenderer(render);
  window.addEventListener('hashchange', render);
  render();
}

void boot();

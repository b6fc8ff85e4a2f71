import type { ApiResponse, paths } from '../../../client/index.js';
import { api, call, errorText, session } from '../api.js';
import { field, formatDateTime, h, replace, uid } from '../dom.js';
import { errorBox, formMessage, GENDER_LABELS, loading, REGION_LABELS, screenTitle, toast, type Screen } from '../ui.js';

type Gender = 'male' | 'female' | 'other';
/** The profile with the discovery preferences of the contract (the typed client's own type). */
type Me = ApiResponse<'/api/users/me', 'get'>;
/** The body of PUT /api/users/me, from the typed client. */
type ProfileUpdate = paths['/api/users/me']['put']['requestBody']['content']['application/json'];
type Region = NonNullable<ProfileUpdate['region']>;
const isRegion = (value: string): value is Region => value in REGION_LABELS;

export const profileScreen: Screen = ({ main, alive }) => {
  const body = h('div', {}, loading());
  main.append(screenTitle('프로필'), body);
  const load = async () => {
    try {
      const me = await call(api.GET('/api/users/me'));
      if (!alive()) return;
      replace(body, aboutMe(me), profileForm(me), preferencesForm(me), sessionsSection(alive), passwordForm(), logoutSection(), deleteSection());
    } catch (error) {
      if (alive()) replace(body, errorBox(errorText(error), () => void load()));
    }
  };
  void load();
};

function section(title: string, ...children: (Node | null)[]): HTMLElement {
  const id = uid('sec');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function aboutMe(me: Me): HTMLElement {
  const calendar = me.birth_calendar === 'lunar' ? `음력${me.is_leap_month ? ' 윤달' : ''}` : '양력';
  return section(
    '내 정보',
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, '이름'),
      h('dd', {}, me.name),
      h('dt', {}, '이메일'),
      h('dd', {}, me.email),
      h('dt', {}, '생년월일'),
      h('dd', {}, `${me.birth_date} (${calendar})${me.birth_time ? ` ${me.birth_time}` : ''}`),
      h('dt', {}, '성별'),
      h('dd', {}, GENDER_LABELS[me.gender]),
    ),
    h('p', { class: 'hint' }, '생년월일은 사주 계산에만 쓰이고 다른 사람에게는 나이만 보여요.'),
  );
}

function profileForm(me: Me): HTMLElement {
  const location = h('input', { type: 'text', maxlength: 255, value: me.location ?? '', autocomplete: 'address-level2' });
  const job = h('input', { type: 'text', maxlength: 255, value: me.job ?? '', autocomplete: 'organization-title' });
  const bio = h('textarea', { maxlength: 2000, rows: 4 });
  bio.value = me.bio ?? '';
  const photo = h('input', { type: 'url', maxlength: 2048, value: me.profile_img_url ?? '', placeholder: 'https://', inputmode: 'url' });
  const message = formMessage();
  const save = h('button', { type: 'submit' }, '프로필 저장');
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    field('사는 곳', location, '상대에게 그대로 보여요. 예: 서울 마포구'),
    field('직업', job),
    field('자기소개', bio, '2000자까지'),
    field('프로필 사진 주소', photo, 'http:// 또는 https:// 로 시작하는 이미지 주소'),
    message.el,
    save,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    const text = (el: HTMLInputElement | HTMLTextAreaElement) => el.value.trim() || null;
    try {
      await call(api.PUT('/api/users/me', { body: { location: text(location), job: text(job), bio: text(bio), profile_img_url: text(photo) } }));
      message.ok('프로필을 저장했어요.');
    } catch (error) {
      message.fail(errorText(error));
    } finally {
      save.disabled = false;
    }
  });
  return section('프로필 수정', form);
}

function checkboxGroup(legend: string, options: [string, string][], selected: Set<string>, hint?: string): { el: HTMLFieldSetElement; values(): string[] } {
  const boxes = options.map(([value, label]) => {
    const box = h('input', { type: 'checkbox', value, checked: selected.has(value) });
    return { box, el: field(label, box) };
  });
  const el = h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, legend),
    hint ? h('p', { class: 'hint' }, hint) : null,
    h('div', { class: 'choice-grid' }, boxes.map((b) => b.el)),
  );
  return { el, values: () => boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
}

function preferencesForm(me: Me): HTMLElement {
  const interested = checkboxGroup('만나고 싶은 성별', Object.entries(GENDER_LABELS), new Set(me.interested_in));
  const region = h('select', {}, h('option', { value: '' }, '선택 안 함'), Object.entries(REGION_LABELS).map(([v, l]) => h('option', { value: v, selected: me.region === v }, l)));
  const preferred = checkboxGroup('만나고 싶은 지역', Object.entries(REGION_LABELS), new Set(me.preferred_regions ?? []), '아무것도 고르지 않으면 지역을 가리지 않아요.');
  const ageMin = h('input', { type: 'number', min: 19, max: 100, inputmode: 'numeric', value: me.age_min ?? '' });
  const ageMax = h('input', { type: 'number', min: 19, max: 100, inputmode: 'numeric', value: me.age_max ?? '' });
  const discoverable = h('input', { type: 'checkbox', checked: me.discoverable !== false });
  const showActivity = h('input', { type: 'checkbox', checked: me.show_activity !== false });
  const message = formMessage();
  const save = h('button', { type: 'submit' }, '추천 조건 저장');
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    interested.el,
    field('내 지역', region, '추천에서 지역을 맞출 때 써요.'),
    preferred.el,
    h('div', { class: 'row' }, field('최소 나이', ageMin), field('최대 나이', ageMax)),
    field('다른 사람의 추천에 나를 보여 주기', discoverable, '끄면 새 추천에 나타나지 않아요. 지금 나누는 대화는 그대로예요.'),
    field('최근 활동 여부 보여 주기', showActivity),
    message.el,
    save,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const genders = interested.values() as Gender[];
    if (genders.length === 0) return message.fail('만나고 싶은 성별을 하나 이상 골라 주세요.');
    const num = (el: HTMLInputElement) => (el.value === '' ? null : Number(el.value));
    const min = num(ageMin);
    const max = num(ageMax);
    if ((min !== null && (min < 19 || min > 100)) || (max !== null && (max < 19 || max > 100))) return message.fail('나이는 19세에서 100세 사이로 입력해 주세요.');
    if (min !== null && max !== null && min > max) return message.fail('최소 나이가 최대 나이보다 클 수 없어요.');
    save.disabled = true;
    try {
      await call(
        api.PUT('/api/users/me', {
          body: {
            interested_in: genders,
            region: isRegion(region.value) ? region.value : null,
            preferred_regions: preferred.values().filter(isRegion),
            age_min: min,
            age_max: max,
            discoverable: discoverable.checked,
            show_activity: showActivity.checked,
          },
        }),
      );
      message.ok('추천 조건을 저장했어요. 다음 추천부터 반영돼요.');
    } catch (error) {
      message.fail(errorText(error));
    } finally {
      save.disabled = false;
    }
  });
  return section('추천 조건', form);
}

function describeAgent(ua: string | null): string {
  if (!ua) return '알 수 없는 기기';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : null;
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  return browser || os ? [browser, os].filter(Boolean).join(' · ') : ua.slice(0, 60);
}

function sessionsSection(alive: () => boolean): HTMLElement {
  const list = h('div', {}, loading());
  const message = formMessage();
  const load = async () => {
    try {
      const sessions = await call(api.GET('/api/auth/sessions'));
      if (!alive()) return;
      replace(
        list,
        h(
          'ul',
          { class: 'plain-list sessions', role: 'list' },
          sessions.map((s) => {
            const label = describeAgent(s.user_agent);
            const revoke = s.current ? null : h('button', { type: 'button', class: 'secondary small', 'aria-label': `${label} 접속 끊기` }, '접속 끊기');
            revoke?.addEventListener('click', async () => {
              revoke.disabled = true;
              try {
                await call(api.DELETE('/api/auth/sessions/{session_id}', { params: { path: { session_id: s.session_id } } }));
                message.ok(`${label}의 접속을 끊었어요.`);
                void load();
              } catch (error) {
                revoke.disabled = false;
                message.fail(errorText(error));
              }
            });
            return h(
              'li',
              { class: 'session' },
              h('p', {}, h('strong', {}, label), s.current ? h('span', { class: 'tag' }, '지금 이 기기') : null),
              h('p', { class: 'meta' }, `로그인 ${formatDateTime(s.created_at)}`, s.last_used_at ? ` · 마지막 사용 ${formatDateTime(s.last_used_at)}` : ''),
              revoke,
            );
          }),
        ),
      );
    } catch (error) {
      if (alive()) replace(list, errorBox(errorText(error)));
    }
  };
  void load();
  const all = h('button', { type: 'button', class: 'secondary' }, '모든 기기 접속 끊기');
  all.addEventListener('click', async () => {
    all.disabled = true;
    try {
      await call(api.POST('/api/auth/logout-all'));
      session.end();
      toast('모든 기기에서 접속을 끊었어요. 다시 로그인해 주세요.');
    } catch (error) {
      all.disabled = false;
      message.fail(errorText(error));
    }
  });
  return section('로그인된 기기', list, message.el, h('div', { class: 'actions' }, all));
}

function passwordForm(): HTMLElement {
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 128 });
  const message = formMessage();
  const save = h('button', { type: 'submit' }, '비밀번호 변경');
  const form = h('form', { class: 'form', novalidate: true }, field('현재 비밀번호', current), field('새 비밀번호', next, '8자 이상 128자 이하. 바꾸면 다른 기기는 모두 로그아웃돼요.'), message.el, save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!current.value || next.value.length < 8 || next.value.length > 128) return message.fail('현재 비밀번호와 8자 이상의 새 비밀번호를 입력해 주세요.');
    save.disabled = true;
    try {
      await call(api.PUT('/api/users/me/password', { body: { current_password: current.value, new_password: next.value } }));
      current.value = next.value = '';
      message.ok('비밀번호를 바꿨어요. 다른 기기는 로그아웃됐어요.');
    } catch (error) {
      message.fail(errorText(error));
    } finally {
      save.disabled = false;
    }
  });
  return section('비밀번호 변경', form);
}

function logoutSection(): HTMLElement {
  const button = h('button', { type: 'button', class: 'secondary' }, '로그아웃');
  button.addEventListener('click', async () => {
    button.disabled = true;
    await session.logout();
  });
  return section('로그아웃', h('p', { class: 'hint' }, '이 기기에서만 로그아웃해요. 다른 기기는 그대로예요.'), button);
}

function deleteSection(): HTMLElement {
  const password = h('input', { type: 'password', autocomplete: 'current-password' });
  const message = formMessage();
  const confirmButton = h('button', { type: 'submit', class: 'danger' }, '계정 영구 삭제');
  const confirmForm = h(
    'form',
    { class: 'form', hidden: true, novalidate: true },
    h('p', { class: 'warn' }, '프로필, 대화 신청, 채팅과 메시지가 모두 지워지고 되돌릴 수 없어요.'),
    field('비밀번호 확인', password),
    message.el,
    confirmButton,
  );
  const open = h('button', { type: 'button', class: 'danger', 'aria-expanded': 'false' }, '계정 삭제');
  open.addEventListener('click', () => {
    confirmForm.hidden = !confirmForm.hidden;
    open.setAttribute('aria-expanded', String(!confirmForm.hidden));
    if (!confirmForm.hidden) password.focus();
  });
  confirmForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!password.value) return message.fail('비밀번호를 입력해 주세요.');
    confirmButton.disabled = true;
    try {
      await call(api.DELETE('/api/users/me', { body: { password: password.value } }));
      session.end();
      toast('계정을 삭제했어요. 그동안 고마웠어요.');
    } catch (error) {
      message.fail(errorText(error));
      confirmButton.disabled = false;
    }
  });
  return section('계정 삭제', open, confirmForm);
}

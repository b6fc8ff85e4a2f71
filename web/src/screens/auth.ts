import { logIn } from '../account.js';
import { api, call, errorText } from '../api.js';
import { field, h } from '../dom.js';
import { navigate } from '../router.js';
import { formMessage, screenTitle, type Screen } from '../ui.js';

export const loginScreen: Screen = ({ main }) => {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, maxlength: 255 });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const message = formMessage();
  const submit = h('button', { type: 'submit' }, '로그인');
  const form = h(
    'form',
    { class: 'card form', novalidate: true },
    field('이메일', email),
    field('비밀번호', password),
    message.el,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!email.value.trim() || !password.value) return message.fail('이메일과 비밀번호를 입력해 주세요.');
    submit.disabled = true;
    message.clear();
    try {
      await logIn(email.value.trim(), password.value);
      navigate('#/recommendations');
    } catch (error) {
      message.fail(errorText(error));
      submit.disabled = false;
    }
  });
  main.append(
    screenTitle('로그인'),
    h('p', { class: 'lead' }, '사주로 보는 오늘의 인연을 만나 보세요.'),
    form,
    h('p', { class: 'switch' }, '처음이신가요? ', h('a', { href: '#/signup' }, '회원가입')),
  );
};

export const signupScreen: Screen = ({ main }) => {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, maxlength: 255 });
  const password = h('input', { type: 'password', name: 'new-password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 128 });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'nickname', required: true, maxlength: 100 });
  const birthDate = h('input', { type: 'date', name: 'birth_date', required: true, min: '1900-01-01' });
  const gender = h(
    'select',
    { name: 'gender', required: true },
    h('option', { value: '' }, '선택해 주세요'),
    h('option', { value: 'male' }, '남성'),
    h('option', { value: 'female' }, '여성'),
    h('option', { value: 'other' }, '기타'),
  );
  const birthTime = h('input', { type: 'time', name: 'birth_time' });
  const lunar = h('input', { type: 'checkbox', name: 'lunar' });
  const leap = h('input', { type: 'checkbox', name: 'leap', disabled: true });
  lunar.addEventListener('change', () => {
    leap.disabled = !lunar.checked;
    if (!lunar.checked) leap.checked = false;
  });
  const message = formMessage();
  const submit = h('button', { type: 'submit' }, '가입하기');
  const form = h(
    'form',
    { class: 'card form', novalidate: true },
    field('이메일', email),
    field('비밀번호', password, '8자 이상'),
    field('이름', name, '상대에게 보이는 이름이에요.'),
    field('생년월일', birthDate, '사주를 계산하는 데만 쓰이고, 상대에게는 나이만 보여요.'),
    field('성별', gender),
    field('태어난 시간', birthTime, '선택 사항이에요. 알면 시주(時柱)까지 정확해져요.'),
    h('div', { class: 'row' }, field('음력', lunar), field('윤달', leap, '음력 윤달에 태어났다면 선택하세요.')),
    message.el,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const missing = [
      [email, '이메일'],
      [password, '비밀번호'],
      [name, '이름'],
      [birthDate, '생년월일'],
      [gender, '성별'],
    ].filter(([el]) => !(el as HTMLInputElement).value.trim());
    if (missing.length > 0) {
      message.fail(`${missing.map(([, label]) => label).join(', ')}을(를) 입력해 주세요.`);
      (missing[0]![0] as HTMLElement).focus();
      return;
    }
    submit.disabled = true;
    message.clear();
    try {
      await call(
        api.POST('/api/users/register', {
          body: {
            email: email.value.trim(),
            password: password.value,
            name: name.value.trim(),
            birth_date: birthDate.value,
            gender: gender.value as 'male' | 'female' | 'other',
            ...(birthTime.value ? { birth_time: birthTime.value.slice(0, 5) } : {}),
            birth_calendar: lunar.checked ? 'lunar' : 'solar',
            ...(lunar.checked ? { is_leap_month: leap.checked } : {}),
          },
        }),
      );
      await logIn(email.value.trim(), password.value);
      navigate('#/recommendations');
    } catch (error) {
      message.fail(errorText(error));
      submit.disabled = false;
    }
  });
  main.append(
    screenTitle('회원가입'),
    h('p', { class: 'lead' }, '생년월일로 사주를 풀어 궁합이 좋은 분을 매일 추천해 드려요.'),
    form,
    h('p', { class: 'switch' }, '이미 계정이 있나요? ', h('a', { href: '#/login' }, '로그인')),
  );
};

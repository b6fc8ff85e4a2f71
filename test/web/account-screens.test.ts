import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, skipUnlessChromium, PHONE } from '../../scripts/lib/chromium.js';
import { buildWebClient } from '../../scripts/lib/web-build.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { assertAccessible, logInInBrowser } from '../helpers/browser.js';

// The account screens of the web client in a real browser, each change checked through the API:
// withdrawing a sent request (대화 요청), discovery preferences (프로필), the session list with one
// session revoked, a password change that logs the other sessions out, and deleting the account.
// Every screen passes axe with no serious or critical violations.

const skip = skipUnlessChromium('test/web/account-screens.test.ts');

const PASSWORD = 'account-password-1';
const NEW_PASSWORD = 'account-password-2';
const ME = { email: 'account-doyun@example.com', name: '박도윤' };
const IPHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const ANDROID_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Firefox/126.0 Mobile';

describe('web client account screens in a browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let outDir: string;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  async function api(method: string, path: string, options: { body?: unknown; token?: string; ua?: string } = {}): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.ua) headers['user-agent'] = options.ua;
    const res = await fetch(`${t.baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function login(email: string, password: string, ua?: string): Promise<{ access: string; refresh: string }> {
    const res = await api('POST', '/api/users/login', { body: { email, password }, ...(ua ? { ua } : {}) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { access: res.body.access_token, refresh: res.body.refresh_token };
  }

  async function register(email: string, name: string, gender: 'male' | 'female'): Promise<number> {
    const res = await api('POST', '/api/users/register', { body: { email, password: PASSWORD, name, birth_date: '1994-04-04', gender } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.user_id;
  }

  before(async () => {
    outDir = await buildWebClient(mkdtempSync(join(tmpdir(), 'web-build-')));
    t = await startTestApp({ AUTH_RATE_LIMIT_PER_EMAIL: '1000' }, { webRoot: outDir });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: PHONE, locale: 'ko-KR', timezoneId: 'Asia/Seoul', reducedMotion: 'reduce' });
    context.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });

  test('withdraw a request, edit preferences, revoke a session, change the password, delete the account', async () => {
    const myId = await register(ME.email, ME.name, 'male');
    const haeunId = await register('account-haeun@example.com', '최하은', 'female');
    const iphone = await login(ME.email, PASSWORD, IPHONE_UA);
    const android = await login(ME.email, PASSWORD, ANDROID_UA);
    const sent = await api('POST', '/api/matches/request', { token: iphone.access, body: { receiver_id: haeunId } });
    assert.equal(sent.status, 201);

    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await logInInBrowser(page, t.baseUrl, ME.email, PASSWORD);

    // 대화 요청: the sent request to 하은, withdrawn.
    await page.getByRole('link', { name: '대화 요청' }).click();
    const card = page.getByRole('article', { name: '최하은' });
    await card.waitFor();
    await assertAccessible(page, '대화 요청');
    await card.getByRole('button', { name: '신청 취소' }).click();
    await card.getByText('신청을 취소했어요.').waitFor();
    assert.equal(await card.getByRole('button', { name: '신청 취소' }).count(), 0);
    const mine = await api('GET', '/api/matches?direction=sent', { token: android.access });
    assert.deepEqual(mine.body, [], 'the request is gone');
    assert.deepEqual((await api('GET', '/api/matches?direction=received', { token: (await login('account-haeun@example.com', PASSWORD)).access })).body, []);

    // 프로필: discovery preferences.
    await page.getByRole('link', { name: '프로필' }).click();
    await page.getByRole('button', { name: '추천 조건 저장' }).waitFor();
    await assertAccessible(page, '프로필');
    await page.getByLabel('내 지역').selectOption({ label: '서울' });
    const regions = page.getByRole('group', { name: '만나고 싶은 지역' });
    await regions.getByLabel('서울', { exact: true }).check();
    await regions.getByLabel('부산', { exact: true }).check();
    await page.getByLabel('최소 나이').fill('25');
    await page.getByLabel('최대 나이').fill('35');
    await page.getByLabel('다른 사람의 추천에 나를 보여 주기').uncheck();
    await page.getByRole('button', { name: '추천 조건 저장' }).click();
    await page.getByText('추천 조건을 저장했어요. 다음 추천부터 반영돼요.').waitFor();
    const me = (await api('GET', '/api/users/me', { token: android.access })).body;
    assert.deepEqual(
      { region: me.region, preferred_regions: [...me.preferred_regions].sort(), age_min: me.age_min, age_max: me.age_max, discoverable: me.discoverable, show_activity: me.show_activity },
      { region: 'seoul', preferred_regions: ['busan', 'seoul'], age_min: 25, age_max: 35, discoverable: false, show_activity: true },
    );
    // A range the server would refuse is caught in the form, nothing sent.
    await page.getByLabel('최소 나이').fill('40');
    await page.getByRole('button', { name: '추천 조건 저장' }).click();
    await page.getByText('최소 나이가 최대 나이보다 클 수 없어요.').waitFor();
    assert.equal((await api('GET', '/api/users/me', { token: android.access })).body.age_min, 25);

    // 로그인된 기기: three sessions; the iPhone's is revoked from here.
    const devices = page.getByRole('region', { name: '로그인된 기기' });
    await devices.getByText('지금 이 기기').waitFor();
    assert.equal(await devices.getByRole('listitem').count(), 3);
    await devices.getByRole('button', { name: 'Safari · iOS 접속 끊기' }).click();
    await page.getByText('Safari · iOS의 접속을 끊었어요.').waitFor();
    await devices.getByRole('button', { name: 'Safari · iOS 접속 끊기' }).waitFor({ state: 'detached' });
    assert.equal(await devices.getByRole('listitem').count(), 2);
    assert.equal((await api('GET', '/api/users/me', { token: iphone.access })).status, 401);
    assert.equal((await api('POST', '/api/auth/refresh', { body: { refresh_token: iphone.refresh } })).status, 401);
    const left = (await api('GET', '/api/auth/sessions', { token: android.access })).body as Array<{ user_agent: string | null }>;
    assert.deepEqual(left.map((s) => s.user_agent === ANDROID_UA).sort(), [false, true]);
    await assertAccessible(page, '프로필 (로그인된 기기)');

    // 비밀번호 변경: the Android session is logged out, this one stays.
    await page.getByLabel('현재 비밀번호').fill(PASSWORD);
    await page.getByLabel('새 비밀번호').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '비밀번호 변경' }).click();
    await page.getByText('비밀번호를 바꿨어요. 다른 기기는 로그아웃됐어요.').waitFor();
    assert.equal((await api('GET', '/api/users/me', { token: android.access })).status, 401);
    assert.equal((await api('POST', '/api/auth/refresh', { body: { refresh_token: android.refresh } })).status, 401);
    assert.equal((await api('POST', '/api/users/login', { body: { email: ME.email, password: PASSWORD } })).status, 401);
    await page.getByRole('link', { name: '대화 요청' }).click();
    await page.getByRole('link', { name: '프로필' }).click();
    await devices.getByText('지금 이 기기').waitFor();
    assert.equal(await devices.getByRole('listitem').count(), 1, 'only this browser is still logged in');

    // 계정 삭제.
    await page.getByRole('button', { name: '계정 삭제' }).click();
    await page.getByLabel('비밀번호 확인').fill(NEW_PASSWORD);
    await assertAccessible(page, '프로필 (계정 삭제)');
    await page.getByRole('button', { name: '계정 영구 삭제' }).click();
    await page.getByRole('heading', { name: '로그인' }).waitFor();
    await assertAccessible(page, '로그인 (계정 삭제 후)');
    assert.equal((await api('POST', '/api/users/login', { body: { email: ME.email, password: NEW_PASSWORD } })).status, 401);
    const gone = await t.database.db.selectFrom('users').select('id').where('id', '=', myId).execute();
    assert.deepEqual(gone, []);
    await page.close();
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipUnlessChromium, PHONE } from '../../scripts/lib/chromium.js';
import { buildWebClient } from '../../scripts/lib/web-build.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

// The account screens in a real browser: cancel a sent request, the discovery preferences, the
// list of logged-in devices (and ending another one), changing the password, deleting the account.

const skip = skipUnlessChromium('test/web/browser-account.test.ts');

const EMAIL = 'hana@example.com';
const PASSWORD = 'hana-password-1';
const NEW_PASSWORD = 'hana-password-2';

describe('web client account screens in a browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let outDir: string;
  let page: Page;
  let otherRefresh = '';
  const pageErrors: string[] = [];

  async function api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${t.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  async function login(email: string, password: string) {
    return api('POST', '/api/users/login', { email, password });
  }

  before(async () => {
    outDir = await buildWebClient(mkdtempSync(join(tmpdir(), 'web-build-')));
    t = await startTestApp({}, { webRoot: outDir });
    assert.equal((await api('POST', '/api/users/register', { email: EMAIL, password: PASSWORD, name: '한하나', birth_date: '1994-06-01', gender: 'female' })).status, 201);
    assert.equal((await api('POST', '/api/users/register', { email: 'woo@example.com', password: PASSWORD, name: '우진', birth_date: '1992-02-04', gender: 'male' })).status, 201);
    otherRefresh = (await login(EMAIL, PASSWORD)).body.refresh_token; // another device
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: PHONE, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(t.baseUrl);
    await page.getByLabel('이메일').fill(EMAIL);
    await page.getByLabel('비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByRole('heading', { name: '오늘의 추천' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  test('a sent request can be cancelled from 대화 요청', async () => {
    await page.getByRole('article', { name: '우진' }).getByRole('button', { name: '대화 신청' }).click();
    await page.getByText('우진님에게 대화를 신청했어요').waitFor();
    await page.getByRole('link', { name: '대화 요청' }).click();
    await page.getByRole('heading', { name: '보낸 신청 1건' }).waitFor();
    await page.getByRole('article', { name: '우진' }).getByRole('button', { name: '신청 취소' }).click();
    await page.getByText('신청을 취소했어요.').waitFor();
    const token = (await login('woo@example.com', PASSWORD)).body.access_token;
    assert.deepEqual((await api('GET', '/api/matches?direction=received', undefined, token)).body, []);
  });

  test('the discovery preferences are saved as the API returns them', async () => {
    await page.getByRole('link', { name: '프로필' }).click();
    await page.getByLabel('내 지역').selectOption({ label: '서울' });
    const regions = page.getByRole('group', { name: '만나고 싶은 지역' });
    await regions.getByLabel('서울').check();
    await regions.getByLabel('경기').check();
    await page.getByLabel('최소 나이').fill('25');
    await page.getByLabel('최대 나이').fill('40');
    await page.getByLabel('최근 활동 여부 보여 주기').uncheck();
    await page.getByRole('button', { name: '추천 조건 저장' }).click();
    await page.getByText('추천 조건을 저장했어요.', { exact: false }).waitFor();
    const token = (await login(EMAIL, PASSWORD)).body.access_token;
    const me = (await api('GET', '/api/users/me', undefined, token)).body;
    assert.equal(me.region, 'seoul');
    assert.deepEqual([...me.preferred_regions].sort(), ['gyeonggi', 'seoul']);
    assert.equal(me.age_min, 25);
    assert.equal(me.age_max, 40);
    assert.equal(me.discoverable, true);
    assert.equal(me.show_activity, false);
    // A minimum above the maximum is refused before it is sent.
    await page.getByLabel('최소 나이').fill('45');
    await page.getByRole('button', { name: '추천 조건 저장' }).click();
    await page.getByText('최소 나이가 최대 나이보다 클 수 없어요.').waitFor();
  });

  test('로그인된 기기 lists the sessions; ending another one revokes it', async () => {
    await page.reload();
    await page.getByRole('heading', { name: '로그인된 기기' }).waitFor();
    await page.getByText('지금 이 기기').waitFor();
    const endButtons = page.getByRole('button', { name: /접속 끊기$/ }).filter({ hasNotText: '모든 기기' });
    await endButtons.first().waitFor();
    const before = await endButtons.count();
    assert.ok(before >= 1, `other sessions listed: ${before}`); // the device logged in above (and the API logins of the tests before)
    const results = await new AxeBuilder({ page }).analyze();
    assert.deepEqual(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id), []);
    while ((await endButtons.count()) > 0) {
      const n = await endButtons.count();
      await endButtons.first().click();
      await page.waitForFunction(`document.querySelectorAll('.sessions button').length < ${n}`);
    }
    assert.equal((await api('POST', '/api/auth/refresh', { refresh_token: otherRefresh })).status, 401);
  });

  test('changing the password keeps this session and the new password logs in', async () => {
    await page.getByLabel('현재 비밀번호').fill(PASSWORD);
    await page.getByLabel('새 비밀번호').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '비밀번호 변경' }).click();
    await page.getByText('비밀번호를 바꿨어요.', { exact: false }).waitFor();
    assert.equal((await login(EMAIL, PASSWORD)).status, 401);
    assert.equal((await login(EMAIL, NEW_PASSWORD)).status, 200);
    await page.getByRole('link', { name: '내 사주' }).click();
    await page.getByRole('table', { name: '사주팔자' }).waitFor(); // still logged in
  });

  test('deleting the account needs the password, then logs out for good', async () => {
    await page.getByRole('link', { name: '프로필' }).click();
    await page.getByRole('button', { name: '계정 삭제' }).click();
    await page.getByLabel('비밀번호 확인').fill('wrong-password');
    await page.getByRole('button', { name: '계정 영구 삭제' }).click();
    await page.getByText('비밀번호가 올바르지 않아요.').waitFor();
    await page.getByLabel('비밀번호 확인').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '계정 영구 삭제' }).click();
    await page.getByRole('heading', { name: '로그인' }).waitFor();
    assert.equal((await login(EMAIL, NEW_PASSWORD)).status, 401);
    assert.equal(await page.evaluate('localStorage.length'), 0);
  });

  test('내 사주 explains the pillars a birth time could change (born on the day of 입춘, no time given)', async () => {
    await page.getByLabel('이메일').fill('woo@example.com');
    await page.getByLabel('비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByRole('link', { name: '내 사주' }).click();
    const table = page.getByRole('table', { name: '사주팔자' });
    await table.waitFor();
    const token = (await login('woo@example.com', PASSWORD)).body.access_token;
    assert.deepEqual((await api('GET', '/api/users/me/saju', undefined, token)).body.ambiguous, ['year', 'month']);
    await page.getByText('* 연주: 태어난 날에 절기(節氣)가 바뀌어서', { exact: false }).waitFor();
    await page.getByText('* 월주: 태어난 날에 절기(節氣)가 바뀌어서', { exact: false }).waitFor();
    assert.equal(await table.locator('td.uncertain').count(), 4, 'the year and month stems and branches are marked');
    assert.equal(await table.getByText('모름').count(), 2, 'no birth time: the hour pillar is unknown');
  });
});

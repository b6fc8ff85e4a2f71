import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildWebClient } from '../../scripts/lib/web-build.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { assertAccessible } from '../helpers/browser.js';
import { launchChromium, skipUnlessChromium, PHONE } from '../../scripts/lib/chromium.js';

// The web client in a real browser (Debian's Chromium driven by playwright-core): two people sign
// up in two browser contexts, she appears in his 추천 with the score the API gives, he asks, she
// accepts, they chat both ways in real time, an unread badge comes and goes, a lost connection is
// caught up with `after=`, one logs out. Every screen passes axe with no serious or critical
// violation. Controls are found by the accessible names the contract fixes.

const skip = skipUnlessChromium('test/web/browser-flow.test.ts');

const HER = { name: '김민지', email: 'minji@example.com', password: 'minji-password-1', birth: '1995-03-15', time: '14:30' };
const HIM = { name: '이준호', email: 'junho@example.com', password: 'junho-password-1', birth: '1993-07-10' };

describe('web client in a browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let outDir: string;
  let herContext: BrowserContext;
  let hisContext: BrowserContext;
  let her: Page;
  let him: Page;
  let herId = 0;
  let hisId = 0;
  const refuseSocketsOf = new Set<number>();
  const pageErrors: string[] = [];

  async function openPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(t.baseUrl);
    return page;
  }

  async function signUp(page: Page, person: { name: string; email: string; password: string; birth: string; time?: string }, gender: '남성' | '여성', lunar: boolean) {
    await page.getByRole('link', { name: '회원가입' }).click();
    await page.getByRole('heading', { name: '회원가입' }).waitFor();
    await assertAccessible(page, '회원가입');
    await page.getByLabel('이메일').fill(person.email);
    await page.getByLabel('비밀번호').fill(person.password);
    await page.getByLabel('이름').fill(person.name);
    await page.getByLabel('생년월일').fill(person.birth);
    await page.getByLabel('성별').selectOption({ label: gender });
    if (person.time) await page.getByLabel('태어난 시간').fill(person.time);
    if (lunar) await page.getByLabel('음력').check();
    await page.getByRole('button', { name: '가입하기' }).click();
    await page.getByRole('heading', { name: '오늘의 추천' }).waitFor();
  }

  async function apiLogin(email: string, password: string): Promise<string> {
    const res = await fetch(`${t.baseUrl}/api/users/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    assert.equal(res.status, 200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function disconnectSocketsOf(userId: number): Promise<void> {
    for (const socket of await t.app.io.fetchSockets()) if (socket.data.userId === userId) socket.disconnect(true);
  }

  before(async () => {
    outDir = await buildWebClient(mkdtempSync(join(tmpdir(), 'web-build-')));
    t = await startTestApp({}, { webRoot: outDir });
    // A switch to refuse one person's socket handshakes, as a server that is briefly unreachable
    // would: messages sent meanwhile must come back through the `after=` catch-up.
    t.app.io.use((socket, next) => (refuseSocketsOf.has(socket.data.userId) ? next(new Error('Service unavailable')) : next()));
    browser = await launchChromium();
    const options = { viewport: PHONE, locale: 'ko-KR', timezoneId: 'Asia/Seoul', reducedMotion: 'reduce' as const };
    herContext = await browser.newContext(options);
    hisContext = await browser.newContext(options);
    herContext.setDefaultTimeout(30_000);
    hisContext.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });

  test('the log-in screen is the start, and it is accessible', async () => {
    her = await openPage(herContext);
    await her.getByRole('heading', { name: '로그인' }).waitFor();
    assert.equal(await her.getAttribute('html', 'lang'), 'ko');
    await assertAccessible(her, '로그인');
  });

  test('she signs up (solar, with a birth time); a reload keeps her logged in with only the refresh token stored', async () => {
    await signUp(her, HER, '여성', false);
    const stored = await her.evaluate('Object.keys(localStorage)');
    assert.deepEqual(stored, ['saju.refresh_token']);
    await her.reload();
    await her.getByRole('heading', { name: '오늘의 추천' }).waitFor();
    const token = await apiLogin(HER.email, HER.password);
    herId = ((await (await fetch(`${t.baseUrl}/api/users/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { user_id: number }).user_id;
    assert.ok(herId > 0);
  });

  test('he signs up (lunar birthday, no time) and finds her in 오늘의 추천 with the score the API gives', async () => {
    him = await openPage(hisContext);
    await him.getByRole('heading', { name: '로그인' }).waitFor();
    await signUp(him, HIM, '남성', true);
    const card = him.getByRole('article', { name: HER.name });
    await card.waitFor();
    const shown = Number(/궁합 (\d+)점/.exec(await card.innerText())?.[1]);

    const token = await apiLogin(HIM.email, HIM.password);
    const recs = (await (await fetch(`${t.baseUrl}/api/matches/recommendations`, { headers: { authorization: `Bearer ${token}` } })).json()) as { user_id: number; name: string; compatibility_score: number }[];
    const fromApi = recs.find((r) => r.user_id === herId);
    assert.ok(fromApi, 'the API recommends her to him');
    assert.equal(shown, fromApi.compatibility_score);
    hisId = ((await (await fetch(`${t.baseUrl}/api/users/me`, { headers: { authorization: `Bearer ${token}` } })).json()) as { user_id: number }).user_id;
  });

  test('궁합 자세히 draws one bar per rule, adding up to the score', async () => {
    const card = him.getByRole('article', { name: HER.name });
    const score = Number(/궁합 (\d+)점/.exec(await card.innerText())?.[1]);
    await card.getByRole('button', { name: '궁합 자세히' }).click();
    const figure = card.getByRole('figure');
    await figure.waitFor();
    const points = await figure.locator('ol.bars > li:not(.total) .pts').allInnerTexts();
    const bars = await figure.locator('ol.bars > li:not(.total) .bar').count();
    assert.ok(points.length >= 2, 'at least the base and one rule');
    assert.equal(bars, points.length, 'one bar per rule');
    const sum = points.map((p) => Number(p.replace('점', ''))).reduce((a, b) => a + b, 0);
    assert.equal(sum, score);
    assert.match(await figure.innerText(), /기본 점수/);
    assert.equal(await card.getByRole('button', { name: '궁합 자세히' }).getAttribute('aria-expanded'), 'true');
    await assertAccessible(him, '오늘의 추천 (궁합 자세히)');
  });

  test('he sends a request; she is told in real time and accepts it in 대화 요청', async () => {
    const card = him.getByRole('article', { name: HER.name });
    await card.getByRole('button', { name: '대화 신청' }).click();
    await card.getByText(`${HER.name}님에게 대화를 신청했어요`).waitFor();
    await her.getByText(`${HIM.name}님이 대화를 신청했어요`).waitFor(); // matchRequested, live

    await him.getByRole('link', { name: '대화 요청' }).click();
    await him.getByRole('article', { name: HER.name }).waitFor(); // in his sent list
    await assertAccessible(him, '대화 요청 (보낸 신청)');

    await her.getByRole('link', { name: '대화 요청' }).click();
    const request = her.getByRole('article', { name: HIM.name });
    await request.waitFor();
    await assertAccessible(her, '대화 요청');
    await request.getByRole('button', { name: '수락' }).click();
    await him.getByText(`${HER.name}님이 대화 신청을 수락했어요`).waitFor(); // matchAccepted, live
    await request.getByRole('link', { name: `${HIM.name}님과 채팅하기` }).click();
    await her.getByRole('heading', { name: HIM.name }).waitFor();
  });

  test('they chat both ways in real time, with typing indicator and read marks', async () => {
    await him.getByRole('link', { name: '채팅', exact: true }).click();
    await him.getByRole('link', { name: HER.name, exact: true }).waitFor();
    await assertAccessible(him, '채팅 목록');
    await him.getByRole('link', { name: HER.name, exact: true }).click();
    await him.getByRole('heading', { name: HER.name }).waitFor();

    await him.getByLabel('메시지').pressSequentially('안녕하세요');
    await her.getByText(`${HIM.name}님이 입력 중…`).waitFor();
    await him.getByRole('button', { name: '보내기' }).click();
    await her.getByRole('listitem').filter({ hasText: '안녕하세요' }).waitFor();
    // She has the chat open and visible: her client marks it read and he sees 읽음.
    await him.getByRole('listitem').filter({ hasText: '안녕하세요' }).getByText('읽음').waitFor();

    await her.getByLabel('메시지').fill('반가워요! 사주가 잘 맞네요 😊');
    await her.getByLabel('메시지').press('Enter');
    await him.getByRole('listitem').filter({ hasText: '반가워요! 사주가 잘 맞네요 😊' }).waitFor();
    await assertAccessible(him, '채팅방');
    assert.equal(await her.getByRole('listitem').filter({ hasText: '안녕하세요' }).count(), 1, 'each message once');
  });

  test('an unread badge appears on her chat list and clears when she opens the chat', async () => {
    await her.getByRole('link', { name: '채팅', exact: true }).click();
    await her.getByRole('link', { name: HIM.name, exact: true }).waitFor();
    await him.getByLabel('메시지').fill('오늘 저녁 어때요?');
    await him.getByRole('button', { name: '보내기' }).click();
    const withBadge = her.getByRole('link', { name: `${HIM.name} 읽지 않은 메시지 1개` });
    await withBadge.waitFor();
    assert.equal(await withBadge.locator('.badge').innerText(), '1');
    await assertAccessible(her, '채팅 목록 (읽지 않음)');
    await withBadge.click();
    await her.getByRole('listitem').filter({ hasText: '오늘 저녁 어때요?' }).waitFor();
    await him.getByRole('listitem').filter({ hasText: '오늘 저녁 어때요?' }).getByText('읽음').waitFor();
    await her.getByRole('link', { name: '← 채팅 목록' }).click();
    await her.getByRole('link', { name: HIM.name, exact: true }).waitFor();
    assert.equal(await her.getByRole('link', { name: /읽지 않은 메시지/ }).count(), 0);
  });

  test('after a lost connection she catches up with after= and his unacknowledged send goes through', async () => {
    await her.getByRole('link', { name: HIM.name, exact: true }).click();
    await her.getByRole('heading', { name: HIM.name }).waitFor();
    const before = await her.getByRole('listitem').count();

    refuseSocketsOf.add(herId);
    await disconnectSocketsOf(herId);
    await her.getByText('연결 끊김 · 다시 연결하는 중').or(her.getByText('연결 중…')).first().waitFor();
    await him.getByLabel('메시지').fill('연락 기다릴게요');
    await him.getByRole('button', { name: '보내기' }).click();
    await him.getByRole('listitem').filter({ hasText: '연락 기다릴게요' }).locator('time').waitFor(); // stored
    assert.equal(await her.getByRole('listitem').count(), before, 'not delivered while she is cut off');

    const catchUp = her.waitForRequest((r) => /\/messages\?.*after=\d+/.test(r.url()));
    refuseSocketsOf.delete(herId);
    await catchUp;
    await her.getByRole('listitem').filter({ hasText: '연락 기다릴게요' }).waitFor();

    // His socket is cut too: the message waits as "보내는 중" and reaches her through the REST
    // fallback with the same client_msg_id, stored once.
    refuseSocketsOf.add(hisId);
    await disconnectSocketsOf(hisId);
    await him.getByLabel('메시지').fill('내일 봬요');
    await him.getByRole('button', { name: '보내기' }).click();
    await her.getByRole('listitem').filter({ hasText: '내일 봬요' }).waitFor();
    refuseSocketsOf.delete(hisId);
    await him.getByRole('listitem').filter({ hasText: '내일 봬요' }).locator('time').waitFor();
    assert.equal(await him.getByRole('listitem').filter({ hasText: '내일 봬요' }).count(), 1);
    const token = await apiLogin(HIM.email, HIM.password);
    const chats = (await (await fetch(`${t.baseUrl}/api/chats`, { headers: { authorization: `Bearer ${token}` } })).json()) as { chat_id: number }[];
    const messages = (await (await fetch(`${t.baseUrl}/api/chats/${chats[0]!.chat_id}/messages?limit=100`, { headers: { authorization: `Bearer ${token}` } })).json()) as { content: string }[];
    assert.deepEqual(
      messages.map((m) => m.content).reverse(),
      ['안녕하세요', '반가워요! 사주가 잘 맞네요 😊', '오늘 저녁 어때요?', '연락 기다릴게요', '내일 봬요'],
    );
  });

  test('내 사주 shows the four pillars in a table named 사주팔자, Hanja and Hangul, and the five elements', async () => {
    await her.getByRole('link', { name: '내 사주' }).click();
    const table = her.getByRole('table', { name: '사주팔자' });
    await table.waitFor();
    const token = await apiLogin(HER.email, HER.password);
    const saju = (await (await fetch(`${t.baseUrl}/api/users/me/saju`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      pillars: Record<string, { stem: { hanja: string; hangul: string }; branch: { hanja: string; hangul: string } } | null>;
    };
    const text = await table.innerText();
    for (const key of ['year', 'month', 'day', 'hour']) {
      const pillar = saju.pillars[key]!;
      for (const part of [pillar.stem, pillar.branch]) {
        assert.ok(text.includes(part.hanja) && text.includes(part.hangul), `${key}: ${part.hanja}/${part.hangul}`);
      }
    }
    await her.getByRole('figure', { name: '오행(五行) 분포' }).waitFor();
    await assertAccessible(her, '내 사주');

    // His: lunar, no birth time: the hour pillar is unknown and said so.
    await him.getByRole('link', { name: '내 사주' }).click();
    await him.getByRole('table', { name: '사주팔자' }).waitFor();
    await him.getByText('태어난 시간을 입력하지 않아 시주(時柱)는 비워 두었어요', { exact: false }).waitFor();
  });

  test('프로필 is accessible and 로그아웃 ends his session', async () => {
    await him.getByRole('link', { name: '프로필' }).click();
    await him.getByRole('button', { name: '로그아웃' }).waitFor();
    await him.getByLabel('자기소개').fill('산책과 커피를 좋아해요.');
    await him.getByRole('button', { name: '프로필 저장' }).click();
    await him.getByText('프로필을 저장했어요.').waitFor();
    await assertAccessible(him, '프로필');

    await him.getByRole('button', { name: '로그아웃' }).click();
    await him.getByRole('heading', { name: '로그인' }).waitFor();
    assert.deepEqual(await him.evaluate('Object.keys(localStorage)'), []);
    await him.reload();
    await him.getByRole('heading', { name: '로그인' }).waitFor();
    // She stays logged in and live.
    await her.getByRole('link', { name: '채팅', exact: true }).click();
    await her.getByRole('link', { name: HIM.name, exact: true }).waitFor();
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { launchChromium, skipUnlessChromium, PHONE } from '../../scripts/lib/chromium.js';
import { buildWebClient } from '../../scripts/lib/web-build.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { logInInBrowser } from '../helpers/browser.js';

// The web client's token handling in a real browser, with access tokens that live 4 seconds:
// expired tokens are refreshed (rotation followed, no token presented twice by one tab), the
// socket comes back with the new token, and two tabs refreshing with the same token at the same
// moment both stay logged in thanks to the server's grace window.

const skip = skipUnlessChromium('test/web/browser-session.test.ts');

const PASSWORD = 'session-password-1';

describe('web client sessions in a browser', { skip }, () => {
  let t: TestApp;
  let browser: Browser;
  let outDir: string;
  let context: BrowserContext;
  const pageErrors: string[] = [];
  const refreshes: { token: string; status: number; successor: string | null }[] = [];

  async function api<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${t.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.ok(res.ok, `${method} ${path}: ${res.status}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  async function register(email: string, name: string, gender: 'male' | 'female'): Promise<{ id: number; token: string }> {
    const { user_id } = await api<{ user_id: number }>('POST', '/api/users/register', { email, password: PASSWORD, name, birth_date: '1994-04-04', gender });
    const { access_token } = await api<{ access_token: string }>('POST', '/api/users/login', { email, password: PASSWORD });
    return { id: user_id, token: access_token };
  }

  function watch(page: Page): Page {
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('response', async (res) => {
      if (!res.url().endsWith('/api/auth/refresh')) return;
      const sent = JSON.parse(res.request().postData() ?? '{}') as { refresh_token: string };
      // A reload or navigation while a refresh is in flight leaves its body unreadable (the page
      // never saw the successor either); such an entry has no successor to compare against.
      let successor: string | null = null;
      if (res.ok()) {
        try {
          successor = ((await res.json()) as { refresh_token: string }).refresh_token;
        } catch {
          successor = null;
        }
      }
      refreshes.push({ token: sent.refresh_token, status: res.status(), successor });
    });
    return page;
  }

  before(async () => {
    outDir = await buildWebClient(mkdtempSync(join(tmpdir(), 'web-build-')));
    t = await startTestApp({ ACCESS_TOKEN_TTL: '4s', REFRESH_REUSE_GRACE_SECONDS: '10' }, { webRoot: outDir });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: PHONE, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
    context.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  });

  test('expired access tokens are refreshed (each refresh token presented once) and the socket follows', async () => {
    const me = await register('session-he@example.com', '도윤', 'male');
    const partner = await register('session-she@example.com', '서아', 'female');
    const { match_id } = await api<{ match_id: number }>('POST', '/api/matches/request', { receiver_id: me.id }, partner.token);
    const { chat_id } = await api<{ chat_id: number }>('POST', `/api/matches/${match_id}/accept`, undefined, me.token);

    const page = watch(await context.newPage());
    await logInInBrowser(page, t.baseUrl, 'session-he@example.com', PASSWORD);
    await page.goto(`${t.baseUrl}/#/chats/${chat_id}`);
    await page.getByRole('heading', { name: '서아' }).waitFor();

    // Three access-token lifetimes pass: the client keeps refreshing; the server ends the socket
    // each time its token expires and the client reconnects with the new one.
    await page.waitForTimeout(13_000);
    const partnerToken = (await api<{ access_token: string }>('POST', '/api/users/login', { email: 'session-she@example.com', password: PASSWORD })).access_token;
    await api('POST', `/api/chats/${chat_id}/messages`, { content: '토큰이 바뀌어도 잘 보이나요?' }, partnerToken);
    await page.getByRole('listitem').filter({ hasText: '토큰이 바뀌어도 잘 보이나요?' }).waitFor();
    await page.getByLabel('메시지').fill('네, 잘 보여요');
    await page.getByRole('button', { name: '보내기' }).click();
    await page.getByRole('listitem').filter({ hasText: '네, 잘 보여요' }).locator('time').waitFor();
    await page.getByRole('link', { name: '대화 요청' }).click();
    await page.getByRole('heading', { name: '받은 신청 0건' }).waitFor();

    assert.ok(refreshes.length >= 2, `refreshed ${refreshes.length} times`);
    assert.deepEqual(refreshes.map((r) => r.status), refreshes.map(() => 200));
    const presented = refreshes.map((r) => r.token);
    assert.equal(new Set(presented).size, presented.length, 'one tab never presents a refresh token twice');
    const chained = refreshes.slice(1).filter((r, i) => refreshes[i]!.successor !== null);
    assert.ok(chained.length >= 1, 'at least one refresh follows a readable one');
    for (let i = 1; i < refreshes.length; i++) {
      const previous = refreshes[i - 1]!.successor;
      if (previous !== null) assert.equal(refreshes[i]!.token, previous, 'each refresh uses the previous successor');
    }
    await page.close();
  });

  test('two tabs refreshing with the same token at once both stay logged in (grace window)', async () => {
    refreshes.length = 0;
    const first = watch(await context.newPage());
    await first.goto(t.baseUrl);
    await first.getByRole('heading', { name: '오늘의 추천' }).waitFor(); // the login above is kept in storage
    const second = watch(await context.newPage());
    await second.goto(t.baseUrl);
    await second.getByRole('heading', { name: '오늘의 추천' }).waitFor();

    // Hold the first refresh until the second tab's arrives, so both present the same token.
    const held: Request[] = [];
    let release: () => void = () => undefined;
    const bothSent = new Promise<void>((resolve) => (release = resolve));
    await context.route('**/api/auth/refresh', async (route) => {
      held.push(route.request());
      if (held.length === 1) {
        await bothSent;
        await route.continue();
      } else if (held.length === 2) {
        release();
        await new Promise((r) => setTimeout(r, 200)); // the first one rotates first
        await route.continue();
      } else {
        await route.continue();
      }
    });
    refreshes.length = 0;
    await Promise.all([first.reload(), second.reload()]);
    await first.getByRole('heading', { name: '오늘의 추천' }).waitFor();
    await second.getByRole('heading', { name: '오늘의 추천' }).waitFor();

    const [a, b] = held;
    assert.ok(a && b);
    const token = (r: Request) => (JSON.parse(r.postData() ?? '{}') as { refresh_token: string }).refresh_token;
    assert.equal(token(a), token(b), 'both tabs presented the same refresh token');
    const [ra, rb] = await Promise.all([a.response(), b.response()]);
    assert.deepEqual([ra?.status(), rb?.status()], [200, 200]);
    const successor = (await ra!.json()) as { refresh_token: string };
    assert.equal(((await rb!.json()) as { refresh_token: string }).refresh_token, successor.refresh_token, 'and got the same successor');
    await context.unroute('**/api/auth/refresh');
    assert.deepEqual(refreshes.map((r) => r.status), refreshes.map(() => 200), 'no refresh refused');

    // Both keep working after their tokens expire again.
    await first.waitForTimeout(6000);
    await first.getByRole('link', { name: '채팅', exact: true }).click();
    await first.getByRole('link', { name: '서아' }).waitFor();
    await second.getByRole('link', { name: '내 사주' }).click();
    await second.getByRole('table', { name: '사주팔자' }).waitFor();
    assert.deepEqual(refreshes.map((r) => r.status), refreshes.map(() => 200), 'no refresh refused');
  });
});

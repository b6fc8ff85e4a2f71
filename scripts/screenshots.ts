// Screenshots of every web client screen at phone (390×844) and desktop (1280×900) width, into
// docs/screenshots/ (linked from docs/web-client.md and the README). Runs the real app on a
// throwaway in-memory database, fills it with a few people through the API, and drives Debian's
// Chromium (scripts/lib/chromium.ts) through the screens. `npm run screenshots`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { MemoryRateLimiter } from '../src/lib/rate-limit.js';
import { chromiumMissing, DESKTOP, launchChromium, PHONE } from './lib/chromium.js';
import { buildWebClient } from './lib/web-build.js';

const missing = chromiumMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}
const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
mkdirSync(OUT, { recursive: true });

const webRoot = await buildWebClient(mkdtempSync(join(tmpdir(), 'web-shots-')));
const database = await openDatabase({ inMemory: true });
await migrateToLatest(database.db);
const limiter = new MemoryRateLimiter();
const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent', AUTH_RATE_LIMIT_PER_IP: '1000' });
const app = await buildApp({ config, database, limiter, logger: false, webRoot });
await app.fastify.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.fastify.server.address() as AddressInfo).port}`;

async function api<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

interface Person {
  name: string;
  gender: 'male' | 'female';
  birth_date: string;
  birth_time?: string;
  location: string;
  job: string;
  bio: string;
}
const PASSWORD = 'screenshot-password';
const people: Person[] = [
  { name: '이준호', gender: 'male', birth_date: '1993-03-05', location: '서울 마포구', job: '개발자', bio: '주말엔 한강에서 자전거를 타요.' },
  { name: '김민지', gender: 'female', birth_date: '1995-03-15', birth_time: '14:30', location: '서울 성동구', job: '디자이너', bio: '전시 보러 다니는 걸 좋아해요. 맛있는 커피 한 잔이면 행복해요.' },
  { name: '박서연', gender: 'female', birth_date: '1994-11-02', location: '경기 성남시', job: '간호사', bio: '요가와 등산을 즐겨요.' },
  { name: '최수아', gender: 'female', birth_date: '1996-05-21', birth_time: '08:10', location: '서울 강남구', job: '마케터', bio: '여행 사진 찍는 게 취미예요.' },
  { name: '정하은', gender: 'female', birth_date: '1992-01-30', location: '인천 연수구', job: '교사', bio: '책과 고양이를 좋아해요.' },
];
const tokens = new Map<string, { token: string; id: number }>();
for (const [i, p] of people.entries()) {
  const email = `shot${i}@example.com`;
  const { user_id } = await api<{ user_id: number }>('POST', '/api/users/register', { email, password: PASSWORD, name: p.name, birth_date: p.birth_date, gender: p.gender, ...(p.birth_time ? { birth_time: p.birth_time } : {}) });
  const { access_token } = await api<{ access_token: string }>('POST', '/api/users/login', { email, password: PASSWORD });
  await api('PUT', '/api/users/me', { location: p.location, job: p.job, bio: p.bio }, access_token);
  tokens.set(p.name, { token: access_token, id: user_id });
}
const junho = tokens.get('이준호')!;
const minji = tokens.get('김민지')!;
const sua = tokens.get('최수아')!;
// 수아 asks him (a received request); 민지 and he matched and talk (a chat with an unread message).
await api('POST', '/api/matches/request', { receiver_id: junho.id }, sua.token);
const { match_id } = await api<{ match_id: number }>('POST', '/api/matches/request', { receiver_id: junho.id }, minji.token);
const { chat_id } = await api<{ chat_id: number }>('POST', `/api/matches/${match_id}/accept`, undefined, junho.token);
const say = (who: { token: string }, content: string) => api('POST', `/api/chats/${chat_id}/messages`, { content }, who.token);
await say(minji, '안녕하세요! 궁합이 좋게 나와서 신청했어요 😊');
await say(junho, '반가워요, 민지 님. 저도 사주 보고 깜짝 놀랐어요.');
await say(minji, '주말에 전시 보러 가는 거 좋아하세요?');
await api('POST', `/api/chats/${chat_id}/read`, {}, junho.token);
await say(minji, '성수동에 괜찮은 전시가 있더라고요.');

const browser = await launchChromium();
const shots: string[] = [];
try {
  for (const [label, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
    // Each run opens the chat (and reads it): a fresh message gives the next run its unread badge.
    if (label === 'desktop') await say(minji, '사진 찍기에도 좋대요!');
    const context = await browser.newContext({ viewport, locale: 'ko-KR', timezoneId: 'Asia/Seoul', reducedMotion: 'reduce' });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    const shot = async (name: string) => {
      await page.evaluate('document.activeElement && document.activeElement.blur()');
      const path = join(OUT, `${label}-${name}.png`);
      await page.screenshot({ path });
      shots.push(path);
    };
    await page.goto(base);
    await page.getByRole('heading', { name: '로그인' }).waitFor();
    await shot('1-login');
    await page.getByRole('link', { name: '회원가입' }).click();
    await page.getByRole('heading', { name: '회원가입' }).waitFor();
    await shot('2-signup');
    await page.getByRole('link', { name: '로그인' }).click();
    await page.getByLabel('이메일').fill('shot0@example.com');
    await page.getByLabel('비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '로그인' }).click();
    await page.getByRole('heading', { name: '오늘의 추천' }).waitFor();
    const first = page.getByRole('article').first();
    await first.waitFor();
    await shot('3-recommendations');
    await first.getByRole('button', { name: '궁합 자세히' }).click();
    await first.getByRole('figure').waitFor();
    await first.getByRole('figure').scrollIntoViewIfNeeded();
    await shot('4-compatibility');
    await page.getByRole('link', { name: '대화 요청' }).click();
    await page.getByRole('button', { name: '수락' }).waitFor();
    await shot('5-requests');
    await page.getByRole('link', { name: '채팅', exact: true }).click();
    await page.getByRole('link', { name: /김민지/ }).waitFor();
    await shot('6-chats');
    await page.getByRole('link', { name: /김민지/ }).click();
    await page.getByRole('listitem').filter({ hasText: '성수동' }).waitFor();
    await page.getByLabel('메시지').fill('좋아요! 토요일 오후 어때요?');
    await shot('7-chat-room');
    await page.getByRole('link', { name: '내 사주' }).click();
    await page.getByRole('table', { name: '사주팔자' }).waitFor();
    await shot('8-saju');
    await page.getByRole('link', { name: '프로필' }).click();
    await page.getByRole('button', { name: '로그아웃' }).waitFor();
    await waitForIdle(page);
    await shot('9-profile');
    await context.close();
  }
} finally {
  await browser.close();
  await app.fastify.close();
  await limiter.close();
  await database.close();
  rmSync(webRoot, { recursive: true, force: true });
}
console.log(`${shots.length} screenshots in ${OUT}`);

async function waitForIdle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
}

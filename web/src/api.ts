// How a client uses the API: the access token lives in memory only; the refresh token is kept in
// localStorage so a reload (or a second tab) stays logged in. Trade-off, written down in
// docs/web-client.md: a script injected into this page could read localStorage, so the page runs
// under a strict Content-Security-Policy (only its own scripts) and never turns data into markup;
// an httpOnly cookie would hide the token from scripts but needs cookie auth (and CSRF defences)
// on the server, which the mobile-first API does not have.
import { createApiClient } from '../../client/index.js';
import type { components } from '../../client/index.js';

const STORAGE_KEY = 'saju.refresh_token';
/** Refresh this long before the access token expires, so requests rarely meet a 401. */
const REFRESH_MARGIN_MS = 60_000;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export interface SignedInUser {
  user_id: number;
  name: string;
  email: string;
}

type Listener = () => void;

class AuthSession {
  private access: string | undefined;
  private accessExpiresAt = 0;
  private inflight: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by `end()`: a refresh that was in flight when the person logged out must not log
   * them back in by storing its successor. */
  private epoch = 0;
  private readonly loggedOutListeners = new Set<Listener>();
  private readonly tokenListeners = new Set<Listener>();
  user: SignedInUser | null = null;

  get accessToken(): string | undefined {
    return this.access;
  }

  get signedIn(): boolean {
    return this.access !== undefined;
  }

  hasStoredLogin(): boolean {
    return readStored() !== null;
  }

  accessExpiresSoon(): boolean {
    return this.access !== undefined && Date.now() > this.accessExpiresAt - 5_000;
  }

  /** After login or a refresh: keep the pair and plan the next refresh. */
  accept(tokens: TokenPair): void {
    this.access = tokens.access_token;
    this.accessExpiresAt = Date.now() + tokens.expires_in * 1000;
    writeStored(tokens.refresh_token);
    clearTimeout(this.timer);
    const delay = Math.max(5_000, tokens.expires_in * 1000 - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => void this.refresh(), delay);
    for (const fn of this.tokenListeners) fn();
  }

  /**
   * One refresh at a time (single flight): every request that meets a 401 while a refresh is
   * running waits for that refresh instead of presenting the same refresh token again. Across
   * tabs (and for a retry after a lost response) the server's grace window answers a token
   * presented twice with the same successor, so those races end well too.
   */
  refresh(): Promise<boolean> {
    this.inflight ??= this.rotate().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async rotate(): Promise<boolean> {
    const epoch = this.epoch;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (epoch !== this.epoch) return false;
      const token = readStored();
      if (!token) return this.end();
      let response: Response;
      try {
        response = await fetch('/api/auth/refresh', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: token }),
        });
      } catch {
        // The answer may have been lost after the server rotated: the same token again is safe
        // within the grace window and gets the same successor.
        await sleep(500 * (attempt + 1));
        continue;
      }
      if (response.ok) {
        const tokens = (await response.json()) as TokenPair;
        if (epoch !== this.epoch) return false; // logged out meanwhile: drop the successor
        this.accept(tokens);
        return true;
      }
      if (epoch !== this.epoch) return false;
      // Another tab may have rotated it meanwhile: try once more with what it stored.
      if (response.status === 401 && readStored() !== token) continue;
      if (response.status === 401) return this.end();
      if (response.status === 429 || response.status >= 500) {
        await sleep(1000 * (attempt + 1));
        continue;
      }
      return this.end();
    }
    return false; // offline: keep the stored login, try again later
  }

  async logout(): Promise<void> {
    const token = readStored();
    // From now on a refresh still under way drops its successor instead of storing it.
    this.epoch += 1;
    if (token) {
      await fetch('/api/auth/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      }).catch(() => undefined);
    }
    this.end();
  }

  /** Forget everything (logged out, revoked, account deleted). */
  end(): false {
    const wasSignedIn = this.access !== undefined || readStored() !== null;
    this.epoch += 1;
    clearTimeout(this.timer);
    this.access = undefined;
    this.accessExpiresAt = 0;
    this.user = null;
    removeStored();
    if (wasSignedIn) for (const fn of this.loggedOutListeners) fn();
    return false;
  }

  onLoggedOut(fn: Listener): () => void {
    this.loggedOutListeners.add(fn);
    return () => this.loggedOutListeners.delete(fn);
  }

  /** Called after every new access token (the socket reconnects with it). */
  onTokens(fn: Listener): () => void {
    this.tokenListeners.add(fn);
    return () => this.tokenListeners.delete(fn);
  }
}

function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
function writeStored(token: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, token);
  } catch {
    // private mode without storage: this tab stays logged in until it closes
  }
}
function removeStored(): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const session = new AuthSession();

/** The transport under the typed client: refresh before a request when the token is about to
 * expire, and on a 401 refresh once and retry the same request once. */
export async function authFetch(request: Request): Promise<Response> {
  const authorised = request.headers.has('authorization');
  if (authorised && session.accessExpiresSoon()) {
    await session.refresh();
    if (session.accessToken) request.headers.set('authorization', `Bearer ${session.accessToken}`);
  }
  const retry = authorised ? request.clone() : null;
  const response = await fetch(request);
  if (response.status !== 401 || !retry) return response;
  // Only a refused access token is worth a refresh; a wrong current password (also 401) is not,
  // and retrying it would count as a second failed attempt.
  const body = (await response.clone().json().catch(() => ({}))) as { error?: unknown };
  if (body.error !== 'Invalid or expired access token' && body.error !== 'Missing bearer token') return response;
  if (!(await session.refresh()) || !session.accessToken) return response;
  retry.headers.set('authorization', `Bearer ${session.accessToken}`);
  return fetch(retry);
}

export const api = createApiClient(location.origin, () => session.accessToken, { fetch: authFetch });

export type Schemas = components['schemas'];

/** A failed API call, with a Korean message for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly serverMessage?: string,
  ) {
    super(message);
  }
}

const SERVER_MESSAGES: Record<string, string> = {
  'Email already registered': '이미 가입된 이메일이에요.',
  'Invalid email or password': '이메일 또는 비밀번호가 올바르지 않아요.',
  'Account suspended': '이용이 정지된 계정이에요.',
  'Match request already exists': '이미 대화를 신청했거나 신청을 받은 상대예요.',
  'This match request was declined': '이미 거절된 신청이에요.',
  'This match request was already accepted': '이미 수락된 신청이에요.',
  'Invalid password': '비밀번호가 올바르지 않아요.',
};

const FIELD_LABELS: Record<string, string> = {
  email: '이메일',
  password: '비밀번호',
  name: '이름',
  birth_date: '생년월일',
  birth_time: '태어난 시간',
  gender: '성별',
  is_leap_month: '윤달',
  location: '사는 곳',
  job: '직업',
  bio: '자기소개',
  profile_img_url: '프로필 사진 주소',
  content: '메시지',
  current_password: '현재 비밀번호',
  new_password: '새 비밀번호',
  age_min: '최소 나이',
  age_max: '최대 나이',
  region: '지역',
  preferred_regions: '선호 지역',
};

function fieldMessage(message: string): string {
  const minAge = /at least (\d+)/.exec(message);
  if (minAge && message.includes('register')) return `올해 나이(연 나이) ${minAge[1]}세 이상만 가입할 수 있어요`;
  if (message.includes('8 to 128')) return '8자 이상 128자 이하로 입력해 주세요';
  if (message.includes('1 to 100')) return '1자 이상 100자 이하로 입력해 주세요';
  if (message.includes('valid email')) return '올바른 이메일 주소를 입력해 주세요';
  if (message.includes('in the future')) return '미래의 날짜는 입력할 수 없어요';
  if (message.includes('1900')) return '1900년 이후 날짜를 입력해 주세요';
  if (message.includes('http(s)')) return 'http:// 또는 https:// 로 시작하는 주소를 입력해 주세요';
  if (message.includes('lunar')) return '음력 날짜를 확인해 주세요';
  return '형식이 올바르지 않아요';
}

export function koreanError(status: number, body: unknown, retryAfter?: string | null): ApiError {
  const b = (body ?? {}) as { error?: string; details?: { field: string; message: string }[] };
  const server = typeof b.error === 'string' ? b.error : undefined;
  if (server && SERVER_MESSAGES[server]) return new ApiError(status, SERVER_MESSAGES[server], server);
  if (status === 400 && Array.isArray(b.details) && b.details.length > 0) {
    const lines = b.details.map((d) => `${FIELD_LABELS[d.field] ?? d.field}: ${fieldMessage(d.message)}`);
    return new ApiError(status, lines.join(' / '), server);
  }
  if (status === 400 && server?.includes('lunar')) return new ApiError(status, '음력 달력에 없는 날짜예요. 날짜와 윤달 여부를 확인해 주세요.', server);
  const generic: Record<number, string> = {
    400: '입력한 내용을 다시 확인해 주세요.',
    401: '로그인이 필요해요. 다시 로그인해 주세요.',
    403: '이 작업을 할 수 없어요.',
    404: '찾을 수 없어요. 이미 사라졌을 수 있어요.',
    409: '이미 처리된 요청이에요.',
    413: '내용이 너무 길어요.',
  };
  if (status === 429) return new ApiError(status, `요청이 너무 많아요. ${retryAfter ? `${retryAfter}초 뒤에 ` : '잠시 후 '}다시 시도해 주세요.`, server);
  if (status >= 500) return new ApiError(status, '서버에 잠시 문제가 있어요. 잠시 후 다시 시도해 주세요.', server);
  return new ApiError(status, generic[status] ?? '요청을 처리하지 못했어요.', server);
}

/** The body of a successful call, or an ApiError with a Korean message. */
export async function call<T>(promise: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await promise;
  } catch {
    throw new ApiError(0, '서버에 연결할 수 없어요. 인터넷 연결을 확인해 주세요.');
  }
  const { data, error, response } = result;
  if (!response.ok) throw koreanError(response.status, error, response.headers.get('retry-after'));
  return data as T;
}

export function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : '알 수 없는 문제가 생겼어요. 잠시 후 다시 시도해 주세요.';
}

/**
 * For routes the generated client does not know yet (added by other branches of the contract):
 * the same transport, refresh and error mapping, without the types.
 */
export async function rawCall<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers = new Headers();
  if (session.accessToken) headers.set('authorization', `Bearer ${session.accessToken}`);
  if (body !== undefined) headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await authFetch(new Request(new URL(path, location.origin), { method, headers, body: body === undefined ? null : JSON.stringify(body) }));
  } catch {
    throw new ApiError(0, '서버에 연결할 수 없어요. 인터넷 연결을 확인해 주세요.');
  }
  const text = await response.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw koreanError(response.status, json, response.headers.get('retry-after'));
  return json as T;
}

/**
 * What every answer to hostile input must look like: never a 5xx, every error a `{ error, details? }`
 * JSON body, and no stack trace, SQL text or internal name anywhere a client can read it.
 */

/** Stack traces, file paths and runtime error names. Checked in every body, success or error. */
export const STACK_PATTERNS: RegExp[] = [
  /\bat\s+\S.*\(.*:\d+:\d+\)/,
  /\bat\s+(?:async\s+)?[\w$.<>]+\s+\((?:file|node):/,
  /node:internal/,
  /node_modules/,
  /\b[\w-]+\.(?:ts|js|mjs|cjs):\d+/,
  /(?:^|[\s"'(])\/(?:work|home|usr|app|srv|tmp)\/[\w.-]+/,
];

/** SQL text, driver and framework internals, internal table names. Checked in error texts. */
export const INTERNAL_PATTERNS: RegExp[] = [
  ...STACK_PATTERNS,
  /\b(?:SELECT|INSERT|UPDATE|DELETE)\b[\s\S]*\b(?:FROM|INTO|SET|WHERE)\b/i,
  /syntax error/i,
  /relation "/i,
  /column "/i,
  /violates/i,
  /duplicate key/i,
  /\bconstraint\b/i,
  /invalid byte sequence/i,
  /invalid input syntax/i,
  /out of range for type/i,
  /\bSQLSTATE\b/i,
  /\bkysely\b/i,
  /\bpglite\b/i,
  /\bpg_\w+/i,
  /\bpostgres/i,
  /\bioredis\b|\bredis\b/i,
  /\bFST_\w+/,
  /\bERR_[A-Z_]{3,}\b/,
  /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|AggregateError)\b/,
  /Cannot read propert/i,
  /is not a function/i,
  /undefined is not/i,
  /Unexpected token/i,
  /\b(?:auth_sessions|refresh_tokens|chat_reads|saju_keys|saju_key_rankings|daily_recommendation_sets|daily_recommendations|chat_append_messages|kysely_migration\w*|password_hash|token_hash)\b/,
];

/** The strings of a JSON value, keys included. */
export function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsOf(v, out);
    }
  }
  return out;
}

/**
 * Removes what the client itself sent (an echoed URL in a 404, an unknown field's name in a 400),
 * so that echoing `' OR 1=1 --` back is not mistaken for leaking SQL.
 */
export function scrub(text: string, sent: readonly string[]): string {
  let out = text;
  const needles = [...new Set(sent.filter((s) => s.length >= 2))].sort((a, b) => b.length - a.length);
  for (const needle of needles) out = out.split(needle).join(' ');
  return out;
}

export function leaks(text: string, patterns: RegExp[]): RegExp | null {
  for (const pattern of patterns) if (pattern.test(text)) return pattern;
  return null;
}

/** A problem with an error body, or null: exactly `{ error: string, details?: [{ field, message }] }`. */
export function errorBodyProblem(body: unknown): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'error body is not a JSON object';
  const keys = Object.keys(body);
  const extra = keys.filter((k) => k !== 'error' && k !== 'details');
  if (extra.length > 0) return `error body has extra keys ${extra.join(', ')}`;
  const { error, details } = body as { error?: unknown; details?: unknown };
  if (typeof error !== 'string' || error.length === 0) return 'error is not a non-empty string';
  if (details !== undefined) {
    if (!Array.isArray(details)) return 'details is not an array';
    for (const d of details) {
      if (!d || typeof d !== 'object' || Array.isArray(d)) return 'a detail is not an object';
      const dk = Object.keys(d).sort().join(',');
      if (dk !== 'field,message') return `a detail has keys ${dk}`;
      const { field, message } = d as { field: unknown; message: unknown };
      if (typeof field !== 'string' || typeof message !== 'string') return 'a detail field/message is not a string';
    }
  }
  return null;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Every problem with one HTTP answer to a request that sent `sent` (its strings), or [] when it
 * is fine. `allowed` = the statuses the document and contract allow, or 'any' (< 500).
 */
export function answerProblems(answer: Answer, sent: readonly string[], allowed: readonly number[] | 'any'): string[] {
  const problems: string[] = [];
  const { status, text } = answer;
  if (status >= 500) problems.push(`status ${status}`);
  if (allowed !== 'any' && !allowed.includes(status)) problems.push(`status ${status}, expected ${allowed.join(' or ')}`);
  if (!answer.headers['x-request-id']) problems.push('no X-Request-Id');
  const contentType = String(answer.headers['content-type'] ?? '');
  const stack = leaks(text, STACK_PATTERNS);
  if (stack) problems.push(`body matches ${stack}`);
  if (status >= 400) {
    if (!contentType.startsWith('application/json')) problems.push(`error content-type ${contentType || 'none'}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      problems.push('error body is not JSON');
    }
    if (body !== undefined) {
      const shape = errorBodyProblem(body);
      if (shape) problems.push(shape);
      const leak = leaks(scrub(stringsOf(body).join('\n'), sent), INTERNAL_PATTERNS);
      if (leak) problems.push(`error body matches ${leak}`);
    }
    if (status === 429) {
      const retry = Number(answer.headers['retry-after']);
      if (!Number.isInteger(retry) || retry < 1) problems.push(`429 without a usable Retry-After (${answer.headers['retry-after']})`);
    }
  } else if (contentType.startsWith('application/json') && text.length > 0) {
    try {
      JSON.parse(text);
    } catch {
      problems.push('success body is not JSON');
    }
  }
  return problems;
}

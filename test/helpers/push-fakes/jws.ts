/**
 * Compact JWS verification for the push fakes, written on node:crypto alone so that the fakes
 * check the providers' tokens independently of the library that signed them.
 *
 * - `verifyJws(token, { alg, key })` → `{ header, claims }` or throws `JwsError` with the reason.
 *   ES256 signatures are the raw r‖s pair (RFC 7518 §3.4), RS256 PKCS#1 v1.5 with SHA-256.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export class JwsError extends Error {}

export interface VerifiedJws {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export function verifyJws(token: string, expected: { alg: 'ES256' | 'RS256'; key: KeyObject | string }): VerifiedJws {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) throw new JwsError('not a compact JWS');
  const [h, c, s] = parts as [string, string, string];
  const header = decodeJson(h, 'header');
  const claims = decodeJson(c, 'claims');
  if (header.alg !== expected.alg) throw new JwsError(`alg is ${String(header.alg)}, expected ${expected.alg}`);
  const key = typeof expected.key === 'string' ? createPublicKey(expected.key) : expected.key;
  const signature = Buffer.from(s, 'base64url');
  const data = Buffer.from(`${h}.${c}`);
  const ok =
    expected.alg === 'ES256'
      ? signature.length === 64 && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', data, key, signature);
  if (!ok) throw new JwsError('signature does not verify');
  return { header, claims };
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new JwsError(`${what} is not a JSON object`);
}

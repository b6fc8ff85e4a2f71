import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessTokens } from '../../src/auth/tokens.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

describe('verified access tokens are remembered', () => {
  it('until their own expiry, to the millisecond', () => {
    const clock = { now: Date.now() };
    const tokens = new AccessTokens(SECRET, 60, () => clock.now);
    const token = tokens.issue(7, 11);
    const first = tokens.verify(token);
    assert.ok(first);
    assert.deepEqual({ ...first }, { userId: 7, sessionId: 11, expiresAt: first.expiresAt });
    assert.equal(tokens.verify(token), first, 'the second check answers from memory');
    clock.now = first.expiresAt;
    assert.equal(tokens.verify(token), first, 'still valid at its expiry millisecond (as fast-jwt)');
    clock.now = first.expiresAt + 1;
    assert.equal(tokens.verify(token), null, 'expired, although remembered');
  });

  it('never for another text: a changed signature or another secret is refused after the real token was remembered', () => {
    const tokens = new AccessTokens(SECRET, 60);
    const token = tokens.issue(7, 11);
    assert.ok(tokens.verify(token));
    // A character inside the signature: all 6 of its bits are signature bits. (The last character
    // of a 32-byte HS256 signature carries 2 padding bits: 'A' and 'B' there decode alike.)
    const at = token.length - 10;
    const changed = token.slice(0, at) + (token[at] === 'A' ? 'Q' : 'A') + token.slice(at + 1);
    assert.notEqual(changed, token);
    assert.equal(tokens.verify(changed), null);
    assert.equal(tokens.verify(token + ' '), null);
    const forged = new AccessTokens(`${SECRET}-other`, 60).issue(7, 11);
    assert.equal(tokens.verify(forged), null);
    assert.equal(tokens.verify(forged), null, 'a refusal is not remembered as a success');
  });

  it('keeps answering for tokens beyond one generation of memory', () => {
    const tokens = new AccessTokens(SECRET, 60);
    const issued = Array.from({ length: 12_000 }, (_, i) => tokens.issue(i + 1, i + 1));
    for (const token of issued) assert.ok(tokens.verify(token));
    issued.forEach((token, i) => assert.equal(tokens.verify(token)?.userId, i + 1));
  });
});

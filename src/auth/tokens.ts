import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';

export interface AccessClaims {
  userId: number;
  sessionId: number;
  expiresAt: number;
}

/** A positive int4, as the id columns are. */
const isDbId = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0 && (value as number) <= 2147483647;

/**
 * HS256 access tokens through fast-jwt (the fastest verifier measured here; a verifier cache
 * skips the HMAC for a token it has already checked, until the token's own expiry).
 */
export class AccessTokens {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verifier: (token: string) => Record<string, unknown>;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.sign = createSigner({ key: secret, algorithm: 'HS256', expiresIn: ttlSeconds * 1000 });
    // The cache is keyed by the token itself: fast-jwt's default key is the token's SHA-256, which
    // costs about as much as the HMAC it saves (measured: ≈ 70 % of verify() on a hit). Exact
    // keys cannot collide; the cost is up to 10,000 live access tokens in this process's memory,
    // which holds the signing secret anyway. Logout and revocation stay exact: every request
    // still checks its session in the database (Authenticator).
    this.verifier = createVerifier({ key: secret, algorithms: ['HS256'], cache: 10_000, cacheKeyBuilder: (token) => token });
  }

  get lifetimeSeconds(): number {
    return this.ttlSeconds;
  }

  issue(userId: number, sessionId: number): string {
    // jti: every issued token is new, even two for one session within the same second.
    return this.sign({ sub: String(userId), sid: sessionId, jti: randomUUID() });
  }

  /** The claims of a valid, unexpired token, or null. */
  verify(token: string): AccessClaims | null {
    try {
      const claims = this.verifier(token);
      const userId = Number(claims.sub);
      const sessionId = claims.sid;
      // Both are integer columns: anything else would reach the database as a query error.
      if (!isDbId(userId) || !isDbId(sessionId)) return null;
      return { userId, sessionId, expiresAt: Number(claims.exp) * 1000 };
    } catch {
      return null;
    }
  }
}

/**
 * Refresh tokens are opaque and stored only as SHA-256 hashes. A token's successor is derived
 * from it with an HMAC, so a client that retries a refresh inside the grace window can be given
 * the very same successor again by any process, although only hashes are stored.
 */
export class RefreshTokens {
  constructor(private readonly secret: string) {}

  generate(): string {
    return randomBytes(32).toString('base64url');
  }

  successorOf(token: string): string {
    return createHmac('sha256', this.secret).update('refresh-successor:').update(token).digest('base64url');
  }

  hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}

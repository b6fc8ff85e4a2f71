import { Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * argon2id at the OWASP minimum (19 MiB, t=2, p=1): ≈ 9 ms per hash on our 2-core machines. The npm
 * `argon2` package's prebuilt binary crashes on Node 20.20, so @node-rs/argon2 it is.
 */
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/**
 * Spends the same time as a real check, so that a login with an unknown email cannot be told
 * from a wrong password by its latency.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password-' + Math.random());
  await verifyPassword(await dummyHash, password);
}

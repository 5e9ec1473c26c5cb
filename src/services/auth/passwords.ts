import { hash, verify } from '@node-rs/argon2';

// argon2id with the parameters OWASP's password storage cheat sheet lists first
// (19 MiB of memory, 2 passes, 1 lane): about 30 ms per hash on one core of this class of machine.
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/** Returns true when a password meets the policy: length bounds, at least one letter and one digit. */
export function isAcceptablePassword(password: string): boolean {
  const length = [...password].length;
  return length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH && /\p{L}/u.test(password) && /\p{Nd}/u.test(password);
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash matches no password, so the caller responds as for a wrong one.
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends the time of one verification without a user, so the response time of a login for an
 * unknown username does not reveal that the username is unknown.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('dummy-password-for-timing-1');
  await verifyPassword(await dummyHash, password);
  return false;
}

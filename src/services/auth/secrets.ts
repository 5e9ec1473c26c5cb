import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Generates a random secret of 32 bytes as base64url text (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** sha256 of a secret as hex: what the database stores in place of session ids and API tokens. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

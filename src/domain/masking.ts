/** Masks personal contact data for lists and logs, where the full value is not needed. */

/**
 * Masks a phone number. Values of 8 characters or more keep the first 3 and last 4, so a
 * Chinese mobile number 13812341234 becomes 138****1234. Shorter values keep only the last 2,
 * and values of 2 characters or fewer are masked completely.
 */
export function maskPhone(phone: string): string {
  const value = phone.trim();

  if (value.length >= 8) {
    return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
  }

  if (value.length <= 2) {
    return '*'.repeat(value.length);
  }

  return `${'*'.repeat(value.length - 2)}${value.slice(-2)}`;
}

/**
 * Masks the local part of an e-mail address: zhang@example.com becomes z***@example.com.
 * The mask is always three asterisks so it hides the length. A one-character local part is
 * masked completely, because keeping its first character would show all of it. A value without
 * an `@` is masked completely.
 */
export function maskEmail(email: string): string {
  const value = email.trim();
  const at = value.lastIndexOf('@');

  if (at < 0) {
    return '***';
  }

  const localCharacters = Array.from(value.slice(0, at));
  const domain = value.slice(at);
  const firstCharacter = localCharacters.length > 1 ? localCharacters[0] : '';

  return `${firstCharacter ?? ''}***${domain}`;
}

/**
 * Recognizes database errors by their SQLSTATE. node-postgres and PGlite both put the SQLSTATE in
 * `code` and the violated constraint or unique index name in `constraint`.
 */

const UNIQUE_VIOLATION = '23505';

interface PostgresErrorFields {
  code?: unknown;
  constraint?: unknown;
}

/** Tells whether an error is a unique violation, optionally of one named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;

  const fields = error as PostgresErrorFields;
  if (fields.code !== UNIQUE_VIOLATION) return false;

  return constraint === undefined || fields.constraint === constraint;
}

/** Returns the name of the violated unique constraint or index, or null for any other error. */
export function uniqueViolationConstraint(error: unknown): string | null {
  if (!isUniqueViolation(error)) return null;

  const constraint = (error as PostgresErrorFields).constraint;
  return typeof constraint === 'string' ? constraint : null;
}

import pg from 'pg';

// Both drivers must hand back the same JavaScript values for the same SQL, or code that passes its
// tests on one database breaks on the other. node-postgres returns int8 as a string and `date` as a
// local-midnight Date; PGlite returns int8 as a number and `date` as a UTC Date. Both are set to:
// int8 as a number (counts and sums stay far below 2^53) and `date` as its 'YYYY-MM-DD' text.

export const INT8_OID = 20;
export const DATE_OID = 1082;

const parseInt8 = (value: string): number => Number.parseInt(value, 10);
const keepDateText = (value: string): string => value;

/** Type parsers for node-postgres pools. */
export const postgresTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return parseInt8;
    if (oid === DATE_OID) return keepDateText;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/** Parsers for PGlite, keyed by type oid. */
export const pgliteParsers = {
  [INT8_OID]: parseInt8,
  [DATE_OID]: keepDateText,
};

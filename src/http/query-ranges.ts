import { Type } from 'typebox';
import { fieldError, invalidFields } from '../errors/field-error.ts';

// Query parameters for `from`/`to` ranges. Ajv checks their formats with ajv-formats in full mode,
// so 2026-02-30 is rejected. The order of the two ends is checked here, because a reversed range
// would quietly return an empty page.

/** Builds a query parameter for a local day, YYYY-MM-DD. */
export function localDateParam(description: string) {
  return Type.String({ format: 'date', description });
}

/** Builds a query parameter for an ISO 8601 timestamp, which ajv-formats accepts only with a time zone. */
export function timestampParam(description: string) {
  return Type.String({ format: 'date-time', description: `${description} ISO 8601 with a time zone, for example 2026-12-01T00:00:00+08:00.` });
}

/** Rejects `from` later than `to`. Both are inclusive local days, so equal days select one day. */
export function assertDayRange(from: string | undefined, to: string | undefined): void {
  // YYYY-MM-DD strings sort in calendar order.
  if (from === undefined || to === undefined || from <= to) return;

  throw invalidFields([
    fieldError(
      'querystring.to',
      'too_small',
      `结束日期 ${to} 早于开始日期 ${from}，请交换两者或放宽范围。`,
      `to (${to}) is before from (${from}); swap them or widen the range.`,
    ),
  ]);
}

/** Rejects `to` at or before `from`, because `to` is exclusive and such a range contains no instant. */
export function assertTimeRange(from: string | undefined, to: string | undefined): void {
  if (from === undefined || to === undefined) return;
  const start = Date.parse(from);
  const end = Date.parse(to);
  // Date.parse returns NaN for a leap second (…:60), which PostgreSQL still reads, so let it through.
  if (Number.isNaN(start) || Number.isNaN(end) || start < end) return;

  throw invalidFields([
    fieldError(
      'querystring.to',
      'too_small',
      `结束时间 ${to} 须晚于开始时间 ${from}（不含结束时间本身），请调整范围。`,
      `to (${to}) must be later than from (${from}), because to is exclusive; adjust the range.`,
    ),
  ]);
}

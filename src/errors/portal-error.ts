import type { ProblemCode } from './problem-catalogue.ts';

/** One invalid field: a dotted path and a message in each locale. */
export interface FieldError {
  field: string;
  code: string;
  message: { 'zh-CN': string; 'en-US': string };
}

/**
 * An expected failure with a catalogued code. Services throw it; the HTTP layer sends it as
 * problem+json and the CLI prints its English text.
 */
export class PortalError extends Error {
  readonly code: ProblemCode;
  readonly params: Record<string, string | number>;
  readonly fieldErrors: FieldError[];
  readonly headers: Record<string, string>;
  /**
   * True when the failing request had already changed state before it failed (a create whose VM
   * row was kept as error), so an idempotent replay returns this error instead of running again.
   */
  readonly committed: boolean;

  constructor(
    code: ProblemCode,
    params: Record<string, string | number> = {},
    options: { fieldErrors?: FieldError[]; headers?: Record<string, string>; cause?: unknown; committed?: boolean } = {},
  ) {
    super(`${code} ${JSON.stringify(params)}`, { cause: options.cause });
    this.name = 'PortalError';
    this.code = code;
    this.params = params;
    this.fieldErrors = options.fieldErrors ?? [];
    this.headers = options.headers ?? {};
    this.committed = options.committed ?? false;
  }
}

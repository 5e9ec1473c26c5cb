import { PortalError, type FieldError } from './portal-error.ts';

/**
 * Builds a VALIDATION_FAILED error for checks that a JSON schema cannot express, such as one field
 * depending on another. Field codes are the same as those of schema validation (docs/api-errors.md).
 */
export function invalidFields(fieldErrors: FieldError[]): PortalError {
  return new PortalError('VALIDATION_FAILED', { count: fieldErrors.length }, { fieldErrors });
}

/** One field error with its message in both locales. */
export function fieldError(field: string, code: string, zhCN: string, enUS: string): FieldError {
  return { field, code, message: { 'zh-CN': zhCN, 'en-US': enUS } };
}

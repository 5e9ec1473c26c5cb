import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import type { FieldError } from '../errors/portal-error.ts';

// Turns Ajv's errors into field errors with zh-CN and en-US text. Ajv's own English messages are
// not shown, because they name JSON Schema keywords rather than what the user should change.

function fieldPath(error: FastifySchemaValidationError, context: string | undefined): string {
  const params = error.params as Record<string, unknown>;
  const base = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const extra =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.additionalProperty === 'string'
        ? params.additionalProperty
        : '';
  const joined = [base, extra].filter(Boolean).join('.');
  const prefix = context && context !== 'body' ? `${context}.` : '';
  return `${prefix}${joined || context || 'body'}`;
}

function describe(error: FastifySchemaValidationError): FieldError['message'] & { code: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { code: 'required', 'zh-CN': '必填', 'en-US': 'is required' };
    case 'additionalProperties':
      return { code: 'unknown_field', 'zh-CN': '不是可接受的字段', 'en-US': 'is not an accepted field' };
    case 'type':
      return { code: 'type', 'zh-CN': `类型应为 ${String(params.type)}`, 'en-US': `must be of type ${String(params.type)}` };
    case 'minLength':
      return { code: 'too_short', 'zh-CN': `长度至少为 ${String(params.limit)}`, 'en-US': `must be at least ${String(params.limit)} characters long` };
    case 'maxLength':
      return { code: 'too_long', 'zh-CN': `长度不能超过 ${String(params.limit)}`, 'en-US': `must be at most ${String(params.limit)} characters long` };
    case 'minimum':
      return { code: 'too_small', 'zh-CN': `不能小于 ${String(params.limit)}`, 'en-US': `must be at least ${String(params.limit)}` };
    case 'maximum':
      return { code: 'too_large', 'zh-CN': `不能大于 ${String(params.limit)}`, 'en-US': `must be at most ${String(params.limit)}` };
    case 'pattern':
      return { code: 'format', 'zh-CN': '格式不正确', 'en-US': 'has an invalid format' };
    case 'format':
      return { code: 'format', 'zh-CN': `应为 ${String(params.format)} 格式`, 'en-US': `must be a valid ${String(params.format)}` };
    case 'enum':
    case 'const':
    case 'anyOf':
      return { code: 'not_allowed', 'zh-CN': '不是允许的取值', 'en-US': 'is not one of the allowed values' };
    default:
      return { code: error.keyword, 'zh-CN': '取值无效', 'en-US': 'is invalid' };
  }
}

export function toFieldErrors(errors: FastifySchemaValidationError[], context: string | undefined): FieldError[] {
  return errors.map((error) => {
    const { code, ...message } = describe(error);
    return { field: fieldPath(error, context), code, message };
  });
}

import type { Locale } from './locale.ts';

type Text = Record<Locale, string>;

export interface ProblemDefinition {
  status: number;
  title: Text;
  /** Template with {name} placeholders filled from the error's params. */
  detail: Text;
}

/**
 * Every error the HTTP API returns, by stable code. Clients branch on `code`; the texts may change.
 * docs/api-errors.md lists the same codes, and a test fails when the two disagree.
 */
export const PROBLEMS = {
  VALIDATION_FAILED: {
    status: 400,
    title: { 'zh-CN': '请求参数无效', 'en-US': 'Invalid request' },
    detail: { 'zh-CN': '请求中有 {count} 处错误，请按字段提示修改后重试。', 'en-US': 'The request has {count} invalid field(s); correct them and try again.' },
  },
  BODY_MALFORMED: {
    status: 400,
    title: { 'zh-CN': '请求体格式错误', 'en-US': 'Malformed request body' },
    detail: { 'zh-CN': '请求体不是有效的 JSON：{reason}', 'en-US': 'The request body is not valid JSON: {reason}' },
  },
  BODY_TOO_LARGE: {
    status: 413,
    title: { 'zh-CN': '请求体过大', 'en-US': 'Request body too large' },
    detail: { 'zh-CN': '请求体超过 {limit} 字节的上限。', 'en-US': 'The request body exceeds the limit of {limit} bytes.' },
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: { 'zh-CN': '不支持的内容类型', 'en-US': 'Unsupported media type' },
    detail: { 'zh-CN': '不支持内容类型 {contentType}，请使用 application/json。', 'en-US': 'Content type {contentType} is not supported; send application/json.' },
  },
  AUTH_REQUIRED: {
    status: 401,
    title: { 'zh-CN': '需要登录', 'en-US': 'Authentication required' },
    detail: { 'zh-CN': '请先登录，或在 Authorization 头中提供 API 令牌。', 'en-US': 'Log in first, or send an API token in the Authorization header.' },
  },
  AUTH_INVALID_CREDENTIALS: {
    status: 401,
    title: { 'zh-CN': '用户名或密码错误', 'en-US': 'Invalid username or password' },
    detail: { 'zh-CN': '用户名或密码错误，请检查后重试。', 'en-US': 'The username or password is incorrect; check them and try again.' },
  },
  AUTH_SESSION_EXPIRED: {
    status: 401,
    title: { 'zh-CN': '会话已过期', 'en-US': 'Session expired' },
    detail: { 'zh-CN': '会话已过期或已退出，请重新登录。', 'en-US': 'The session has expired or was ended; log in again.' },
  },
  AUTH_TOKEN_INVALID: {
    status: 401,
    title: { 'zh-CN': 'API 令牌无效', 'en-US': 'Invalid API token' },
    detail: { 'zh-CN': 'API 令牌无效、已过期或已吊销，请创建新令牌。', 'en-US': 'The API token is invalid, expired or revoked; create a new one.' },
  },
  AUTH_ACCOUNT_DISABLED: {
    status: 403,
    title: { 'zh-CN': '账号已停用', 'en-US': 'Account disabled' },
    detail: { 'zh-CN': '该账号已停用，请联系平台管理员。', 'en-US': 'This account is disabled; contact a platform operator.' },
  },
  AUTH_ACCOUNT_LOCKED: {
    status: 429,
    title: { 'zh-CN': '登录失败次数过多', 'en-US': 'Too many failed logins' },
    detail: { 'zh-CN': '该账号登录失败次数过多，已临时锁定，请在 {retryAfterSeconds} 秒后重试。', 'en-US': 'This account is locked after too many failed logins; try again in {retryAfterSeconds} seconds.' },
  },
  AUTH_ADDRESS_THROTTLED: {
    status: 429,
    title: { 'zh-CN': '登录尝试过于频繁', 'en-US': 'Too many login attempts' },
    detail: { 'zh-CN': '来自您的地址的登录失败次数过多，请在 {retryAfterSeconds} 秒后重试。', 'en-US': 'Too many failed logins from your address; try again in {retryAfterSeconds} seconds.' },
  },
  PASSWORD_TOO_WEAK: {
    status: 400,
    title: { 'zh-CN': '密码不符合要求', 'en-US': 'Password does not meet the policy' },
    detail: { 'zh-CN': '密码长度须为 {min} 到 {max} 个字符，且包含字母和数字。', 'en-US': 'Passwords must be {min} to {max} characters long and contain letters and digits.' },
  },
  CSRF_TOKEN_INVALID: {
    status: 403,
    title: { 'zh-CN': 'CSRF 令牌无效', 'en-US': 'Invalid CSRF token' },
    detail: { 'zh-CN': '缺少或错误的 X-CSRF-Token 请求头，请刷新页面后重试。', 'en-US': 'The X-CSRF-Token header is missing or wrong; reload the page and try again.' },
  },
  FORBIDDEN: {
    status: 403,
    title: { 'zh-CN': '权限不足', 'en-US': 'Forbidden' },
    detail: { 'zh-CN': '您的角色无权执行此操作（需要权限 {permission}）。', 'en-US': 'Your role does not allow this action (requires {permission}).' },
  },
  NO_TENANT: {
    status: 403,
    title: { 'zh-CN': '未加入租户', 'en-US': 'No tenant' },
    detail: { 'zh-CN': '您的账号不属于任何租户，请联系平台管理员。', 'en-US': 'Your account belongs to no tenant; contact a platform operator.' },
  },
  NOT_FOUND: {
    status: 404,
    title: { 'zh-CN': '资源不存在', 'en-US': 'Not found' },
    detail: { 'zh-CN': '{resource} {id} 不存在。', 'en-US': '{resource} {id} was not found.' },
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    title: { 'zh-CN': '接口不存在', 'en-US': 'Route not found' },
    detail: { 'zh-CN': '接口 {method} {path} 不存在，请查看 /api/docs。', 'en-US': 'There is no route {method} {path}; see /api/docs.' },
  },
  CONFLICT: {
    status: 409,
    title: { 'zh-CN': '请求冲突', 'en-US': 'Conflict' },
    detail: { 'zh-CN': '{reason}', 'en-US': '{reason}' },
  },
  RATE_LIMITED: {
    status: 429,
    title: { 'zh-CN': '请求过于频繁', 'en-US': 'Too many requests' },
    detail: { 'zh-CN': '请求过于频繁，请在 {retryAfterSeconds} 秒后重试。', 'en-US': 'Too many requests; try again in {retryAfterSeconds} seconds.' },
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: { 'zh-CN': '服务暂不可用', 'en-US': 'Service unavailable' },
    detail: { 'zh-CN': '服务暂不可用：{reason}。请稍后重试。', 'en-US': 'The service is unavailable: {reason}. Try again later.' },
  },
  INTERNAL: {
    status: 500,
    title: { 'zh-CN': '服务器内部错误', 'en-US': 'Internal server error' },
    detail: { 'zh-CN': '服务器处理请求时出错，请携带请求编号 {requestId} 联系管理员。', 'en-US': 'The server failed to handle the request; contact an operator with request id {requestId}.' },
  },
} as const satisfies Record<string, ProblemDefinition>;

export type ProblemCode = keyof typeof PROBLEMS;

/** Fills {name} placeholders; a missing value leaves the placeholder visible rather than empty. */
export function fillTemplate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

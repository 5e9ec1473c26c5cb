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
    detail: { 'zh-CN': '请求体不是有效的 JSON，请检查语法后重试。', 'en-US': 'The request body is not valid JSON; check its syntax and try again.' },
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
  SESSION_REQUIRED: {
    status: 403,
    title: { 'zh-CN': '需要登录会话', 'en-US': 'Session required' },
    detail: {
      'zh-CN': '此操作只能在登录会话中进行，不能使用 API 令牌（API 令牌不能创建令牌，也不能修改密码）。请登录后再试。',
      'en-US': 'This action needs a signed-in session and cannot be done with an API token (a token can neither create tokens nor change the password). Sign in and try again.',
    },
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
  DUPLICATE_VALUE: {
    status: 409,
    title: { 'zh-CN': '取值已被使用', 'en-US': 'Value already in use' },
    detail: { 'zh-CN': '{field}为 {value} 的记录已存在，请换一个值。', 'en-US': 'A record with {field} {value} already exists; choose another value.' },
  },
  PROJECT_ALREADY_BOUND: {
    status: 409,
    title: { 'zh-CN': '项目已绑定其他租户', 'en-US': 'Project bound to another tenant' },
    detail: { 'zh-CN': '云 {cloud} 中的项目 {projectId} 已绑定到其他租户（不论区域），一个项目只能绑定一个租户。', 'en-US': 'Project {projectId} in cloud {cloud} is already bound to another tenant (in any region); a project can belong to one tenant only.' },
  },
  STATUS_TRANSITION_INVALID: {
    status: 409,
    title: { 'zh-CN': '状态不允许此变更', 'en-US': 'Status change not allowed' },
    detail: { 'zh-CN': '{resource}当前状态为{from}，不能改为{to}。', 'en-US': 'The {resource} is {from} and cannot change to {to}.' },
  },
  SELF_CHANGE_FORBIDDEN: {
    status: 409,
    title: { 'zh-CN': '不能修改自己的账号', 'en-US': 'Cannot change own account' },
    detail: { 'zh-CN': '不能停用自己的账号或更改自己的角色和租户，请由其他管理员操作。', 'en-US': 'You cannot disable your own account or change your own role or tenant; ask another administrator.' },
  },
  TENANT_NOT_BOUND: {
    status: 409,
    title: { 'zh-CN': '租户未绑定云项目', 'en-US': 'Tenant not bound to a cloud project' },
    detail: { 'zh-CN': '租户 {tenant} 尚未绑定 OpenStack 项目，请联系平台管理员绑定。', 'en-US': 'Tenant {tenant} has no OpenStack project; ask a platform operator to bind one.' },
  },
  SYSTEM_NOT_ACTIVE: {
    status: 409,
    title: { 'zh-CN': '信息系统不可用', 'en-US': 'Information system not active' },
    detail: { 'zh-CN': '信息系统 {system} 当前状态为{status}，只能在启用的信息系统中创建云主机。', 'en-US': 'Information system {system} is {status}; VMs can be created only in an active system.' },
  },
  CAPACITY_EXCEEDED: {
    status: 409,
    title: { 'zh-CN': '信息系统容量不足', 'en-US': 'Not enough system capacity' },
    detail: {
      'zh-CN': '信息系统剩余容量不足：本次需要 CPU {cpu} 核、内存 {memoryGiB} GiB、存储 {storageGiB} GiB，剩余 CPU {cpuRemaining} 核、内存 {memoryRemaining} GiB、存储 {storageRemaining} GiB。请缩小规格或增购资源。',
      'en-US': 'Not enough capacity left in the information system: requested {cpu} cores, {memoryGiB} GiB memory and {storageGiB} GiB storage; remaining {cpuRemaining} cores, {memoryRemaining} GiB memory and {storageRemaining} GiB storage. Request a smaller VM or order more capacity.',
    },
  },
  QUOTA_EXCEEDED: {
    status: 409,
    title: { 'zh-CN': '云项目配额不足', 'en-US': 'Cloud project quota exceeded' },
    detail: { 'zh-CN': 'OpenStack 项目配额不足：{reason}。请联系平台管理员提高项目配额。', 'en-US': 'The OpenStack project quota is exceeded: {reason}. Ask a platform operator to raise the project quota.' },
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: { 'zh-CN': '幂等键已用于其他请求', 'en-US': 'Idempotency key reused' },
    detail: { 'zh-CN': '幂等键 {key} 已用于内容不同的请求，请为新请求使用新的 Idempotency-Key。', 'en-US': 'Idempotency key {key} was used for a request with a different body; send a new Idempotency-Key for a new request.' },
  },
  IDEMPOTENCY_IN_PROGRESS: {
    status: 409,
    title: { 'zh-CN': '相同请求正在处理', 'en-US': 'Request in progress' },
    detail: { 'zh-CN': '使用幂等键 {key} 的请求仍在处理中，请稍后用相同的键重试以获取结果。', 'en-US': 'The request with idempotency key {key} is still in progress; retry with the same key later to get its result.' },
  },
  VM_ACTION_PENDING: {
    status: 409,
    title: { 'zh-CN': '云主机有操作未完成', 'en-US': 'VM action pending' },
    detail: { 'zh-CN': '云主机 {vm} 正在{pendingAction}，请等待完成后再{action}。', 'en-US': 'VM {vm} is still {pendingAction}; wait until it finishes before requesting {action}.' },
  },
  VM_INVALID_STATE: {
    status: 409,
    title: { 'zh-CN': '云主机状态不允许此操作', 'en-US': 'Action not allowed in this VM state' },
    detail: { 'zh-CN': '云主机 {vm} 当前状态为{state}，不能{action}（允许的状态：{allowed}）。', 'en-US': 'VM {vm} is {state} and cannot {action} (allowed from: {allowed}).' },
  },
  VM_FORCE_REQUIRED: {
    status: 409,
    title: { 'zh-CN': '删除运行中的云主机需要确认', 'en-US': 'Force required to delete a running VM' },
    detail: { 'zh-CN': '云主机 {vm} 正在运行，请先关机，或使用 force=true 先关机再删除。', 'en-US': 'VM {vm} is running; stop it first, or send force=true to stop and then delete it.' },
  },
  OPENSTACK_UNAVAILABLE: {
    status: 503,
    title: { 'zh-CN': '云平台暂不可用', 'en-US': 'Cloud unavailable' },
    detail: { 'zh-CN': 'OpenStack 调用失败（{reason}），请稍后重试；如持续失败，请携带 OpenStack 请求编号 {openstackRequestId} 联系管理员。', 'en-US': 'The OpenStack call failed ({reason}); try again later, and if it keeps failing contact an operator with OpenStack request id {openstackRequestId}.' },
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
  CONTACT_UNREADABLE: {
    status: 500,
    title: { 'zh-CN': '联系人信息无法解密', 'en-US': 'Contact data unreadable' },
    detail: {
      'zh-CN': '联系人 {id} 的电话或邮箱无法用当前配置的加密密钥解密。请管理员按服务器日志中的密钥 ID 补充写入时使用的密钥。',
      'en-US': 'The phone or email of contact {id} cannot be decrypted with the configured encryption keys; an operator must add the key that wrote it (the server log names its id).',
    },
  },
  INTERNAL: {
    status: 500,
    title: { 'zh-CN': '服务器内部错误', 'en-US': 'Internal server error' },
    detail: { 'zh-CN': '服务器处理请求时出错，请携带请求编号 {requestId} 联系管理员。', 'en-US': 'The server failed to handle the request; contact an operator with request id {requestId}.' },
  },
} as const satisfies Record<string, ProblemDefinition>;

export type ProblemCode = keyof typeof PROBLEMS;

/**
 * Names of the resources that NOT_FOUND errors mention, in each locale. Errors carry the English
 * key as their `resource` parameter, and the response shows the name in the request's language.
 */
export const RESOURCE_NAMES: Record<string, Record<Locale, string>> = {
  'API token': { 'zh-CN': 'API 令牌', 'en-US': 'API token' },
  'Nova server': { 'zh-CN': 'Nova 云服务器', 'en-US': 'Nova server' },
  VM: { 'zh-CN': '云主机', 'en-US': 'VM' },
  contact: { 'zh-CN': '联系人', 'en-US': 'contact' },
  'information system': { 'zh-CN': '信息系统', 'en-US': 'information system' },
  system: { 'zh-CN': '信息系统', 'en-US': 'information system' },
  order: { 'zh-CN': '资源订单', 'en-US': 'resource order' },
  tenant: { 'zh-CN': '租户', 'en-US': 'tenant' },
  user: { 'zh-CN': '用户', 'en-US': 'user' },
};

/** Fills {name} placeholders; a missing value leaves the placeholder visible rather than empty. */
export function fillTemplate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

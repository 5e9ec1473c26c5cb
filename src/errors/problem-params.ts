import type { NovaQuotaShortfall } from '../domain/capacity.ts';
import type { VmAction } from '../domain/vm-actions.ts';
import type { PendingAction, PortalVmStatus } from '../domain/vm-status.ts';
import type { OrderStatus } from '../services/orders.ts';
import type { SystemStatus } from '../services/systems.ts';
import type { TenantStatus } from '../services/tenants.ts';
import type { UserStatus } from '../services/user-admin.ts';
import type { Locale } from './locale.ts';
import { RESOURCE_NAMES, type ProblemCode } from './problem-catalogue.ts';

type Params = Record<string, string | number>;

/*
 * zh-CN names of the English values that problem parameters carry. Errors keep the English values
 * in their params because the CLI prints English and idempotent replays store the params. The
 * HTTP layer swaps in these names when it renders zh-CN, and en-US shows the values unchanged.
 */

const VM_ACTION_ZH: Record<VmAction, string> = { start: '启动', stop: '关机', reboot: '重启', hard_reboot: '强制重启', delete: '删除' };

/** Pending actions name the same operations as `VM_ACTION_ZH`, in the progressive form. */
const PENDING_ACTION_ZH: Record<PendingAction, string> = { creating: '创建', starting: '启动', stopping: '关机', rebooting: '重启', deleting: '删除' };

const VM_STATUS_ZH: Record<PortalVmStatus, string> = {
  creating: '创建中',
  running: '运行中',
  stopped: '已关机',
  paused: '已暂停',
  suspended: '已挂起',
  rebooting: '重启中',
  resizing: '变更规格中',
  migrating: '迁移中',
  shelved: '已搁置',
  maintenance: '维护中',
  error: '错误',
  deleted: '已删除',
  unknown: '未知',
};

const ORDER_STATUS_ZH: Record<OrderStatus, string> = { pending: '待生效', active: '生效中', cancelled: '已取消' };
const SYSTEM_STATUS_ZH: Record<SystemStatus, string> = { active: '已启用', suspended: '已暂停', retired: '已退役' };
const TENANT_STATUS_ZH: Record<TenantStatus, string> = { active: '正常', suspended: '已暂停', archived: '已归档' };
const USER_STATUS_ZH: Record<UserStatus, string> = { active: '正常', disabled: '已停用' };

/** Status names by the `resource` key of STATUS_TRANSITION_INVALID (the keys of RESOURCE_NAMES). */
const STATUS_ZH_BY_RESOURCE: Record<string, Record<string, string>> = {
  order: ORDER_STATUS_ZH,
  system: SYSTEM_STATUS_ZH,
  'information system': SYSTEM_STATUS_ZH,
  tenant: TENANT_STATUS_ZH,
  user: USER_STATUS_ZH,
};

/** Column names that DUPLICATE_VALUE reports in its `field` parameter. */
const FIELD_ZH: Record<string, string> = { code: '编码', name: '名称', username: '用户名', orderNo: '订单号' };

const QUOTA_ZH: Record<NovaQuotaShortfall['quota'], { name: string; unit: string }> = {
  instances: { name: '云主机数量', unit: '台' },
  cores: { name: 'CPU 核数', unit: '核' },
  ram: { name: '内存', unit: 'MiB' },
};

/** Suffix that VM_INVALID_STATE puts after a state that Nova reported in a 409. */
const NOVA_STATE_SUFFIX = ' (Nova)';

/**
 * Returns the QUOTA_EXCEEDED params for quotas that the portal found exceeded. They are the English
 * `reason` and, for each exceeded quota, its limit, usage and request (`ramLimit`, `ramUsed`,
 * `ramRequested`), from which the zh-CN reason is built.
 */
export function quotaExceededParams(exceeded: readonly NovaQuotaShortfall[]): Params {
  const params: Params = {
    reason: exceeded.map((item) => `${item.quota} limit ${item.limit}, used ${item.used}, requested ${item.requested} ${item.unit}`).join('; '),
  };
  for (const item of exceeded) {
    params[`${item.quota}Limit`] = item.limit;
    params[`${item.quota}Used`] = item.used;
    params[`${item.quota}Requested`] = item.requested;
  }
  return params;
}

/** Builds the zh-CN quota reason from the values of `quotaExceededParams`, or returns undefined when Nova's own text is the reason. */
function quotaReasonZh(params: Params): string | undefined {
  const parts: string[] = [];
  for (const [quota, { name, unit }] of Object.entries(QUOTA_ZH)) {
    const limit = params[`${quota}Limit`];
    if (limit === undefined) continue;
    parts.push(`${name}上限 ${limit} ${unit}，已用 ${params[`${quota}Used`]} ${unit}，本次需要 ${params[`${quota}Requested`]} ${unit}`);
  }
  return parts.length > 0 ? parts.join('；') : undefined;
}

/** Returns the zh-CN name of `value`, or the value itself when the table has none. */
function term(table: Record<string, string>, value: string | number | undefined): string | number | undefined {
  if (typeof value !== 'string') return value;
  return Object.hasOwn(table, value) ? table[value] : value;
}

/** Renders a VM state for zh-CN: a portal status by name, a Nova state as Nova's word with a note. */
function vmStateZh(value: string | number | undefined): string | number | undefined {
  if (typeof value === 'string' && value.endsWith(NOVA_STATE_SUFFIX)) {
    // The leading space keeps Nova's English word apart from the Chinese text before it.
    return ` ${value.slice(0, -NOVA_STATE_SUFFIX.length)}（Nova 状态）`;
  }
  return term(VM_STATUS_ZH, value);
}

/** Renders a comma-separated list of portal VM statuses with zh-CN names and the Chinese list separator. */
function vmStatusListZh(value: string | number | undefined): string | number | undefined {
  if (typeof value !== 'string' || value === '-') return value;
  return value
    .split(/,\s*/)
    .map((status) => term(VM_STATUS_ZH, status))
    .join('、');
}

/** Replaces the English values of zh-CN parameters that have a Chinese name; others stay as sent. */
function localizeZh(code: ProblemCode, params: Params): Params {
  const out: Params = { ...params };
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) out[name] = value;
  };

  switch (code) {
    case 'VM_ACTION_PENDING':
      set('pendingAction', term(PENDING_ACTION_ZH, params.pendingAction));
      set('action', term(VM_ACTION_ZH, params.action));
      break;
    case 'VM_INVALID_STATE':
      set('state', vmStateZh(params.state));
      set('action', term(VM_ACTION_ZH, params.action));
      set('allowed', vmStatusListZh(params.allowed));
      break;
    case 'STATUS_TRANSITION_INVALID': {
      const statuses = typeof params.resource === 'string' ? STATUS_ZH_BY_RESOURCE[params.resource] : undefined;
      if (statuses) {
        set('from', term(statuses, params.from));
        set('to', term(statuses, params.to));
      }
      break;
    }
    case 'SYSTEM_NOT_ACTIVE':
      set('status', term(SYSTEM_STATUS_ZH, params.status));
      break;
    case 'DUPLICATE_VALUE':
      set('field', term(FIELD_ZH, params.field));
      break;
    case 'QUOTA_EXCEEDED':
      set('reason', quotaReasonZh(params));
      break;
    case 'UNSUPPORTED_MEDIA_TYPE':
      set('contentType', term({ '(none)': '（未提供）' }, params.contentType));
      break;
    default:
      break;
  }
  return out;
}

/**
 * Returns the params of a problem as its `detail` shows them in `locale`: resource keys become
 * the locale's resource names, and in zh-CN the English statuses, actions, field names and portal-built
 * quota reasons become Chinese. The error's own params are not changed.
 */
export function localizeProblemParams(code: ProblemCode, params: Params, locale: Locale): Params {
  const localized = locale === 'zh-CN' ? localizeZh(code, params) : { ...params };
  const resource = typeof params.resource === 'string' ? RESOURCE_NAMES[params.resource] : undefined;
  if (resource) localized.resource = resource[locale];
  return localized;
}

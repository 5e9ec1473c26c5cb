import { describe, expect, it } from 'vitest';
import type { Locale } from '../../../src/errors/locale.ts';
import { fillTemplate, PROBLEMS, type ProblemCode } from '../../../src/errors/problem-catalogue.ts';
import { localizeProblemParams, quotaExceededParams } from '../../../src/errors/problem-params.ts';

/** Renders a problem's detail as the HTTP layer does. */
function detail(code: ProblemCode, params: Record<string, string | number>, locale: Locale): string {
  return fillTemplate(PROBLEMS[code].detail[locale], localizeProblemParams(code, params, locale));
}

describe('problem params', () => {
  it.each<[ProblemCode, Record<string, string | number>, string, string]>([
    [
      'VM_ACTION_PENDING',
      { vm: 'web-01', pendingAction: 'stopping', action: 'reboot' },
      '云主机 web-01 正在关机，请等待完成后再重启。',
      'VM web-01 is still stopping; wait until it finishes before requesting reboot.',
    ],
    [
      'VM_ACTION_PENDING',
      { vm: 'web-01', pendingAction: 'creating', action: 'hard_reboot' },
      '云主机 web-01 正在创建，请等待完成后再强制重启。',
      'VM web-01 is still creating; wait until it finishes before requesting hard_reboot.',
    ],
    [
      'STATUS_TRANSITION_INVALID',
      { resource: 'order', from: 'cancelled', to: 'active' },
      '资源订单当前状态为已取消，不能改为生效中。',
      'The resource order is cancelled and cannot change to active.',
    ],
    [
      'STATUS_TRANSITION_INVALID',
      { resource: 'tenant', from: 'archived', to: 'active' },
      '租户当前状态为已归档，不能改为正常。',
      'The tenant is archived and cannot change to active.',
    ],
    [
      'STATUS_TRANSITION_INVALID',
      { resource: 'system', from: 'retired', to: 'suspended' },
      '信息系统当前状态为已退役，不能改为已暂停。',
      'The information system is retired and cannot change to suspended.',
    ],
    [
      'VM_INVALID_STATE',
      { vm: 'web-01', state: 'stopped', action: 'reboot', allowed: 'running, paused' },
      '云主机 web-01 当前状态为已关机，不能重启（允许的状态：运行中、已暂停）。',
      'VM web-01 is stopped and cannot reboot (allowed from: running, paused).',
    ],
    [
      'VM_INVALID_STATE',
      { vm: 'web-01', state: 'stopped (Nova)', action: 'stop', allowed: '-' },
      '云主机 web-01 当前状态为 stopped（Nova 状态），不能关机（允许的状态：-）。',
      'VM web-01 is stopped (Nova) and cannot stop (allowed from: -).',
    ],
    [
      'SYSTEM_NOT_ACTIVE',
      { system: 'erp', status: 'suspended' },
      '信息系统 erp 当前状态为已暂停，只能在启用的信息系统中创建云主机。',
      'Information system erp is suspended; VMs can be created only in an active system.',
    ],
    [
      'DUPLICATE_VALUE',
      { field: 'username', value: 'li.lei' },
      '用户名为 li.lei 的记录已存在，请换一个值。',
      'A record with username li.lei already exists; choose another value.',
    ],
    [
      'UNSUPPORTED_MEDIA_TYPE',
      { contentType: '(none)' },
      '不支持内容类型 （未提供），请使用 application/json。',
      'Content type (none) is not supported; send application/json.',
    ],
  ])('%s renders %j', (code, params, zh, en) => {
    expect(detail(code, params, 'zh-CN')).toBe(zh);
    expect(detail(code, params, 'en-US')).toBe(en);
  });

  it('quota reason built from shortfalls', () => {
    const params = quotaExceededParams([
      { quota: 'cores', limit: 20, used: 18, requested: 4, unit: 'cores' },
      { quota: 'ram', limit: 51200, used: 4096, requested: 65536, unit: 'MiB' },
    ]);

    expect(detail('QUOTA_EXCEEDED', params, 'zh-CN')).toBe(
      'OpenStack 项目配额不足：CPU 核数上限 20 核，已用 18 核，本次需要 4 核；内存上限 51200 MiB，已用 4096 MiB，本次需要 65536 MiB。请联系平台管理员提高项目配额。',
    );
    expect(detail('QUOTA_EXCEEDED', params, 'en-US')).toBe(
      'The OpenStack project quota is exceeded: cores limit 20, used 18, requested 4 cores; ram limit 51200, used 4096, requested 65536 MiB. Ask a platform operator to raise the project quota.',
    );
  });

  it('quota reason for instances', () => {
    const params = quotaExceededParams([{ quota: 'instances', limit: 10, used: 10, requested: 1, unit: 'instances' }]);

    expect(detail('QUOTA_EXCEEDED', params, 'zh-CN')).toContain('云主机数量上限 10 台，已用 10 台，本次需要 1 台');
    expect(params.reason).toBe('instances limit 10, used 10, requested 1 instances');
  });

  it("quota reason from Nova's text stays as sent", () => {
    const params = { reason: 'Quota exceeded for cores: Requested 1, but already used 20 of 20 cores' };

    expect(detail('QUOTA_EXCEEDED', params, 'zh-CN')).toBe(`OpenStack 项目配额不足：${params.reason}。请联系平台管理员提高项目配额。`);
  });

  it('unknown values stay as sent', () => {
    expect(detail('STATUS_TRANSITION_INVALID', { resource: 'order', from: 'frozen', to: 'active' }, 'zh-CN')).toBe('资源订单当前状态为frozen，不能改为生效中。');
    expect(detail('VM_ACTION_PENDING', { vm: 'a', pendingAction: 'toString', action: 'constructor' }, 'zh-CN')).toBe('云主机 a 正在toString，请等待完成后再constructor。');
  });

  it('error params are not changed', () => {
    const params = { resource: 'order', from: 'cancelled', to: 'active' };
    const localized = localizeProblemParams('STATUS_TRANSITION_INVALID', params, 'zh-CN');

    expect(localized.resource).toBe('资源订单');
    expect(params).toEqual({ resource: 'order', from: 'cancelled', to: 'active' });
  });

  it('resource names in en-US', () => {
    expect(detail('NOT_FOUND', { resource: 'system', id: 'x' }, 'en-US')).toBe('information system x was not found.');
    expect(detail('NOT_FOUND', { resource: 'system', id: 'x' }, 'zh-CN')).toBe('信息系统 x 不存在。');
  });
});

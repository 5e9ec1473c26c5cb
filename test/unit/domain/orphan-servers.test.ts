import { describe, expect, it } from 'vitest';
import { decideOrphan, isVmIdFormat, type NamedVm, type OrphanDecision, type ServerFacts } from '../../../src/domain/orphan-servers.ts';

const NOW = new Date('2025-03-01T08:00:00Z');
const GRACE_MS = 15 * 60_000;
const VM_ID = '0b0f6c1e-7a51-4d6c-9a40-3f1c2d9e8b77';

function facts(overrides: Partial<ServerFacts> = {}, vm: Partial<NamedVm> | null = {}): ServerFacts {
  const namedVm: NamedVm | undefined =
    vm === null
      ? undefined
      : { cloud: 'c1', region: 'r1', projectId: 'p1', status: 'creating', serverId: null, deleted: false, updatedAt: new Date(NOW.getTime() - 60_000), ...vm };
  return {
    server: { id: 'srv-1', projectId: 'p1', status: 'ACTIVE', portalVmId: VM_ID },
    cloud: 'c1',
    region: 'r1',
    owner: 'none',
    namedVm,
    now: NOW,
    graceMs: GRACE_MS,
    ...overrides,
  };
}

const longAgo = new Date(NOW.getTime() - GRACE_MS);
const recently = new Date(NOW.getTime() - GRACE_MS + 1);

describe('decideOrphan', () => {
  const cases: [string, ServerFacts, OrphanDecision][] = [
    ['server owned by a live VM', facts({ owner: 'live' }), { action: 'skip' }],
    ['soft-deleted server', facts({ server: { id: 'srv-1', projectId: 'p1', status: 'SOFT_DELETED', portalVmId: null } }, null), { action: 'skip' }],
    ['deleted server', facts({ server: { id: 'srv-1', projectId: 'p1', status: 'deleted', portalVmId: VM_ID } }), { action: 'skip' }],
    ['server without metadata', facts({ server: { id: 'srv-1', projectId: 'p1', status: 'ACTIVE', portalVmId: null } }, null), { action: 'report', kind: 'unknown' }],
    ['metadata naming no record', facts({}, null), { action: 'report', kind: 'no_record' }],
    ['creating VM without server', facts(), { action: 'link' }],
    ['creating VM in another project', facts({}, { projectId: 'p2' }), { action: 'report', kind: 'unknown' }],
    ['creating VM in another region', facts({}, { region: null }), { action: 'report', kind: 'unknown' }],
    ['creating VM in another cloud', facts({}, { cloud: 'c2' }), { action: 'report', kind: 'unknown' }],
    ['server held by a deleted record', facts({ owner: 'deleted' }), { action: 'report', kind: 'unknown' }],
    ['live VM with another server', facts({}, { status: 'running', serverId: 'srv-2' }), { action: 'report', kind: 'unknown' }],
    ['live VM without server in another status', facts({}, { status: 'stopped' }), { action: 'report', kind: 'unknown' }],
    ['failed create within grace', facts({}, { status: 'error', updatedAt: recently }), { action: 'report', kind: 'failed_create' }],
    ['failed create after grace', facts({}, { status: 'error', updatedAt: longAgo }), { action: 'delete' }],
    ['deleted record without server after grace', facts({}, { status: 'deleted', deleted: true, updatedAt: longAgo }), { action: 'delete' }],
    ['deleted record without server within grace', facts({}, { status: 'deleted', deleted: true, updatedAt: recently }), { action: 'report', kind: 'failed_create' }],
    ['deleted record with another server', facts({}, { status: 'deleted', deleted: true, serverId: 'srv-2', updatedAt: longAgo }), { action: 'delete' }],
    ['deleted record with this server', facts({ owner: 'deleted' }, { status: 'deleted', deleted: true, serverId: 'srv-1', updatedAt: longAgo }), { action: 'report', kind: 'unknown' }],
    ['failed create in another project', facts({}, { status: 'error', projectId: 'p2', updatedAt: longAgo }), { action: 'report', kind: 'unknown' }],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(decideOrphan(input)).toEqual(expected);
  });
});

describe('isVmIdFormat', () => {
  it.each([
    [VM_ID, true],
    [VM_ID.toUpperCase(), true],
    ['', false],
    ['vm-1', false],
    [`${VM_ID}x`, false],
    ["0b0f6c1e-7a51-4d6c-9a40-3f1c2d9e8b7'", false],
  ])('%j is %s', (value, expected) => {
    expect(isVmIdFormat(value)).toBe(expected);
  });
});

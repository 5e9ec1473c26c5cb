import { describe, expect, it } from 'vitest';

import type { NetworkInfo } from '../../../src/domain/network-choice.ts';
import { chooseNetwork, findNetworkRejections, validateNetworkChoice } from '../../../src/domain/network-choice.ts';

const PROJECT = 'project-a';

function network(id: string, extra: Partial<NetworkInfo> = {}): NetworkInfo {
  return {
    id,
    name: id,
    projectId: PROJECT,
    shared: false,
    external: false,
    adminStateUp: true,
    status: 'ACTIVE',
    ...extra,
  };
}

describe('chooseNetwork', () => {
  it('chooses a project network', () => {
    const networks = [network('private')];

    expect(chooseNetwork(networks, { projectId: PROJECT })).toEqual({ ok: true, network: networks[0] });
  });

  it('skips external networks', () => {
    const networks = [network('a-public', { external: true, shared: true }), network('b-private')];

    const result = chooseNetwork(networks, { projectId: PROJECT });

    expect(result).toMatchObject({ ok: true, network: { id: 'b-private' } });
  });

  it('skips admin-down networks', () => {
    const networks = [network('a-down', { adminStateUp: false }), network('b-up')];

    const result = chooseNetwork(networks, { projectId: PROJECT });

    expect(result).toMatchObject({ ok: true, network: { id: 'b-up' } });
  });

  it('skips networks not ACTIVE', () => {
    const networks = [network('a-build', { status: 'BUILD' }), network('b-active')];

    const result = chooseNetwork(networks, { projectId: PROJECT });

    expect(result).toMatchObject({ ok: true, network: { id: 'b-active' } });
  });

  it("skips another project's private network", () => {
    const networks = [network('a-foreign', { projectId: 'project-b' }), network('b-own')];

    const result = chooseNetwork(networks, { projectId: PROJECT });

    expect(result).toMatchObject({ ok: true, network: { id: 'b-own' } });
  });

  it("uses another project's shared network", () => {
    const networks = [network('shared-net', { projectId: 'admin', shared: true })];

    const result = chooseNetwork(networks, { projectId: PROJECT });

    expect(result).toMatchObject({ ok: true, network: { id: 'shared-net' } });
  });

  it('prefers project-owned over shared', () => {
    const networks = [network('a-shared', { projectId: 'admin', shared: true }), network('z-own')];

    const result = chooseNetwork(networks, { projectId: PROJECT });

    expect(result).toMatchObject({ ok: true, network: { id: 'z-own' } });
  });

  it('prefers names in list order', () => {
    const networks = [
      network('n1', { name: 'app' }),
      network('n2', { name: 'prod', projectId: 'admin', shared: true }),
      network('n3', { name: 'backup' }),
    ];

    const result = chooseNetwork(networks, { projectId: PROJECT, preferredNames: ['prod', 'backup'] });

    expect(result).toMatchObject({ ok: true, network: { id: 'n2' } });
  });

  it('skips unusable preferred network', () => {
    const networks = [network('n1', { name: 'prod', adminStateUp: false }), network('n2', { name: 'backup' })];

    const result = chooseNetwork(networks, { projectId: PROJECT, preferredNames: ['prod', 'backup'] });

    expect(result).toMatchObject({ ok: true, network: { id: 'n2' } });
  });

  it('never matches a name substring', () => {
    const networks = [network('n1', { name: 'prod-old' }), network('n2', { name: 'alpha' })];

    const result = chooseNetwork(networks, { projectId: PROJECT, preferredNames: ['prod'] });

    expect(result).toMatchObject({ ok: true, network: { id: 'n2' } });
  });

  it('falls back to name order', () => {
    const networks = [network('n1', { name: 'zeta' }), network('n2', { name: 'alpha' })];

    const result = chooseNetwork(networks, { projectId: PROJECT, preferredNames: ['missing'] });

    expect(result).toMatchObject({ ok: true, network: { id: 'n2' } });
  });

  it('breaks duplicate names by ownership', () => {
    const networks = [
      network('shared', { name: 'prod', projectId: 'admin', shared: true }),
      network('own', { name: 'prod' }),
    ];

    const result = chooseNetwork(networks, { projectId: PROJECT, preferredNames: ['prod'] });

    expect(result).toMatchObject({ ok: true, network: { id: 'own' } });
  });

  it('reports every rejected network', () => {
    const networks = [
      network('ext', { external: true, projectId: 'admin', shared: true }),
      network('foreign', { projectId: 'project-b', status: 'DOWN' }),
    ];

    expect(chooseNetwork(networks, { projectId: PROJECT })).toEqual({
      ok: false,
      code: 'NO_USABLE_NETWORK',
      details: {
        projectId: PROJECT,
        rejected: [
          { networkId: 'ext', networkName: 'ext', reasons: ['external'] },
          { networkId: 'foreign', networkName: 'foreign', reasons: ['other_project', 'not_active'] },
        ],
      },
    });
  });
});

describe('validateNetworkChoice', () => {
  it('accepts a usable network', () => {
    const networks = [network('own')];

    expect(validateNetworkChoice(networks, 'own', PROJECT)).toEqual({ ok: true, network: networks[0] });
  });

  it('rejects an unknown id', () => {
    expect(validateNetworkChoice([], 'nope', PROJECT)).toEqual({
      ok: false,
      code: 'NETWORK_NOT_FOUND',
      details: { networkId: 'nope' },
    });
  });

  it.each([
    [{ external: true }, ['external']],
    [{ adminStateUp: false }, ['admin_down']],
    [{ status: 'DOWN' }, ['not_active']],
    [{ projectId: 'project-b' }, ['other_project']],
    [
      { projectId: 'project-b', external: true, adminStateUp: false, status: 'ERROR' },
      ['other_project', 'external', 'admin_down', 'not_active'],
    ],
  ] as const)('rejects %j with reasons %j', (extra, reasons) => {
    const networks = [network('candidate', extra)];

    expect(validateNetworkChoice(networks, 'candidate', PROJECT)).toEqual({
      ok: false,
      code: 'NETWORK_NOT_USABLE',
      details: { networkId: 'candidate', networkName: 'candidate', reasons },
    });
  });
});

describe('findNetworkRejections', () => {
  it('returns none for a usable shared network', () => {
    expect(findNetworkRejections(network('s', { projectId: 'admin', shared: true }), PROJECT)).toEqual([]);
  });
});

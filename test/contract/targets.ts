import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Simulator } from '../../src/sim/index.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { CloudConfig } from './os-http.ts';
import { readCloud } from './os-http.ts';

/** A cloud the contract scenarios run against. */
export interface ContractTarget {
  name: string;
  /** False when the target is not configured. `skipReason` then explains how to enable it. */
  enabled: boolean;
  skipReason: string;
  start(): Promise<{ member: CloudConfig; admin: CloudConfig }>;
  stop(): Promise<void>;
  /** Poll interval and the longest wait for one state change, in milliseconds. */
  pollMs: number;
  transitionTimeoutMs: number;
}

/** Returns the simulator target: a free port, short phase durations and a written clouds.yaml. */
export function simulatorTarget(): ContractTarget {
  let simulator: Simulator | undefined;
  let folder: string | undefined;
  return {
    name: 'simulator',
    enabled: true,
    skipReason: '',
    pollMs: 50,
    transitionTimeoutMs: 10_000,
    async start() {
      simulator = await startSimulator({
        seed: 'contract',
        timings: { scheduling: 150, networking: 150, spawning: 300, powerOff: 200, powerOn: 200, softReboot: 300, hardReboot: 300, delete: 200, deletedVisible: 300, volumeCreate: 200, volumeDelete: 200, resizePhase: 100 },
      });
      folder = mkdtempSync(join(tmpdir(), 'sim-contract-'));
      const path = join(folder, 'clouds.yaml');
      simulator.writeCloudsYaml(path);
      return { member: readCloud(path, 'sim-alt'), admin: readCloud(path, 'sim-admin') };
    },
    async stop() {
      await simulator?.stop();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Returns the real cloud target named by OS_CLIENT_CONFIG_FILE, TEST_OS_CLOUD and TEST_OS_ADMIN_CLOUD. */
export function realCloudTarget(): ContractTarget {
  const file = process.env.OS_CLIENT_CONFIG_FILE;
  const memberName = process.env.TEST_OS_CLOUD;
  const adminName = process.env.TEST_OS_ADMIN_CLOUD;
  const enabled = Boolean(file && memberName && adminName);
  return {
    name: `real cloud ${memberName ?? ''}`.trim(),
    enabled,
    skipReason:
      'real cloud skipped: set OS_CLIENT_CONFIG_FILE, TEST_OS_CLOUD (a member cloud) and TEST_OS_ADMIN_CLOUD, for example ' +
      'OS_CLIENT_CONFIG_FILE=/var/lib/local-openstack/clouds.yaml TEST_OS_CLOUD=local-alt TEST_OS_ADMIN_CLOUD=local-admin npx vitest run --project contract',
    pollMs: 500,
    transitionTimeoutMs: 120_000,
    async start() {
      return { member: readCloud(file as string, memberName as string), admin: readCloud(file as string, adminName as string) };
    },
    async stop() {},
  };
}

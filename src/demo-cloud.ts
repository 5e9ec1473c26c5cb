import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PortalConfig } from './config.ts';
import type { Db } from './db/database.ts';
import { DEMO_TENANT_CODE } from './services/demo-seed.ts';
import { startSimulator, type Simulator } from './sim/index.ts';

/** Name of the clouds.yaml entry the demo tenant is bound to: the simulator's `demo` member. */
export const DEMO_CLOUD_NAME = 'sim-demo';

export interface DemoCloud {
  simulator: Simulator;
  cloudsYamlPath: string;
  /** Checks that the simulator still serves its compute version document. */
  isReachable(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Starts the OpenStack simulator inside the portal process for demo mode, writes its clouds.yaml
 * under DATA_DIR, points OS_CLIENT_CONFIG_FILE at it (so the portal finds the cloud the standard
 * way), and binds the demo tenant to the simulator's `demo` project. Servers created in the demo
 * survive restarts through the simulator's snapshot in the same folder.
 */
export async function startDemoCloud(config: PortalConfig, db: Db, logger: Logger): Promise<DemoCloud> {
  const folder = join(config.dataDir, 'sim');
  await mkdir(folder, { recursive: true });

  const simulator = await startSimulator({ host: '127.0.0.1', port: 0, dataDir: folder, logger: false });
  const cloudsYamlPath = join(folder, 'clouds.yaml');
  simulator.writeCloudsYaml(cloudsYamlPath);
  process.env.OS_CLIENT_CONFIG_FILE = cloudsYamlPath;

  const projectId = simulator.admin.projectId('demo');
  const region = simulator.store.config.region;
  const bound = await db
    .updateTable('tenants')
    .set({ cloud: DEMO_CLOUD_NAME, region, project_id: projectId, project_name: 'demo', updated_at: new Date() })
    .where('code', '=', DEMO_TENANT_CODE)
    .where((eb) => eb.or([eb('project_id', 'is', null), eb('cloud', '=', DEMO_CLOUD_NAME)]))
    .executeTakeFirst();
  logger.info({ url: simulator.url, cloudsYamlPath, projectId, tenantsBound: Number(bound.numUpdatedRows) }, 'demo cloud (OpenStack simulator) started');

  return {
    simulator,
    cloudsYamlPath,
    async isReachable() {
      const response = await fetch(`${simulator.url}/compute/`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      return response !== null && response.status < 500;
    },
    stop: () => simulator.stop(),
  };
}

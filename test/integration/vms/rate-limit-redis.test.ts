import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { buildApp, type PortalApp } from '../../../src/http/app.ts';
import { createLogger } from '../../../src/logger.ts';
import { CloudClients } from '../../../src/services/cloud/cloud-clients.ts';
import { createTenant, createTestUser, loginAs } from '../../helpers/fixtures.ts';
import { LogCapture, testKeyring } from '../../helpers/test-app.ts';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

const redisUrl = process.env['TEST_REDIS_URL'];
const SKIP_HINT = 'skipped: set TEST_REDIS_URL (for example redis://127.0.0.1:6379) to test rate limits shared through Redis';
if (!redisUrl) console.error(`Redis rate-limit test ${SKIP_HINT}`);

describe.skipIf(!redisUrl).each(databaseKinds())(redisUrl ? 'rate limits shared through Redis on %s' : `rate limits shared through Redis on %s (${SKIP_HINT})`, (kind) => {
  let handle: TestDatabase;
  let apps: PortalApp[];

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    const config = loadConfig({ PORTAL_MODE: 'production', COOKIE_SECURE: 'false', REDIS_URL: redisUrl, RATE_LIMIT_ACTIONS_PER_MINUTE: '2' });
    const logger = createLogger({ level: 'warn', destination: new LogCapture() });

    // Two apps on one database and one Redis stand for two portal processes behind a load balancer.
    apps = [];
    for (let index = 0; index < 2; index++) {
      const app = await buildApp({ config, database: handle.database, logger, keyring: testKeyring(), readinessChecks: [], clouds: new CloudClients(), queue: null });
      await app.ready();
      apps.push(app);
    }

    const tenant = await createTenant(handle.database.db, 'redis-rl');
    await createTestUser(handle.database.db, 'redis-operator', { tenantId: tenant.id, role: 'operator' });
  });

  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
    await handle?.dispose();
  });

  it('counts requests across processes', async () => {
    const [first, second] = apps as [PortalApp, PortalApp];
    const session = await loginAs(first, 'redis-operator');
    const act = (app: PortalApp) =>
      app.inject({ method: 'POST', url: '/api/v1/vms/00000000-0000-4000-8000-000000000000/actions', headers: session.headers, payload: { action: 'stop' } });

    expect((await act(first)).statusCode).toBe(404);
    expect((await act(second)).statusCode).toBe(404);

    const limited = await act(first);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

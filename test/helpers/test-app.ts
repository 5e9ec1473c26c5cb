import { Writable } from 'node:stream';
import { loadConfig, type PortalConfig } from '../../src/config.ts';
import { CloudClients } from '../../src/services/cloud/cloud-clients.ts';
import { buildApp, type PortalApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { generateKeyText, Keyring, parseKeyText } from '../../src/services/crypto/index.ts';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './test-database.ts';

/** Collects every log line the app writes, for assertions on content and redaction. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }

  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  app: PortalApp;
  handle: TestDatabase;
  config: PortalConfig;
  keyring: Keyring;
  logs: LogCapture;
  close(): Promise<void>;
}

export function testKeyring(): Keyring {
  return new Keyring(parseKeyText(generateKeyText(), 'test key'));
}

/** Builds the app on its own test database, with settings from `env` on top of the defaults. */
export async function openTestApp(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  keyring = testKeyring(),
  addRoutes?: (app: PortalApp) => void,
): Promise<TestApp> {
  const handle = await openTestDatabase(kind);
  const config = loadConfig({ PORTAL_MODE: 'production', COOKIE_SECURE: 'false', LOG_LEVEL: 'debug', ...env });
  const logs = new LogCapture();
  const logger = createLogger({ level: config.logLevel, destination: logs });

  // Clouds come from the test's own environment, so OS_CLIENT_CONFIG_FILE in `env` names its clouds.yaml.
  const clouds = new CloudClients({ env: { ...process.env, ...env } });
  const app = await buildApp({
    config,
    database: handle.database,
    logger,
    keyring,
    clouds,
    readinessChecks: [{ name: 'database', check: async () => (await handle.database.ping(), true) }],
  });
  addRoutes?.(app);
  await app.ready();

  return {
    app,
    handle,
    config,
    keyring,
    logs,
    async close() {
      await app.close();
      clouds.close();
      await handle.dispose();
    },
  };
}

/** Pulls the session cookie value out of a login response. */
export function sessionCookieFrom(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join('; ') : (setCookie ?? '');
  const match = /tp_session=([^;]+)/.exec(header);
  if (!match?.[1]) throw new Error(`no tp_session cookie in Set-Cookie: ${header}`);
  return match[1];
}

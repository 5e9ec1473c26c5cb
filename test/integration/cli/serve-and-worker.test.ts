import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/test-database.ts';

const CLI = new URL('../../../bin/tenant-portal.js', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

/** Polls a URL until it returns 200, for at most `timeoutMs`. */
async function waitForOk(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
      lastError = new Error(`status ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms: ${String(lastError)}`);
}

describe('tenant-portal serve on the embedded database', () => {
  let dataDir: string;
  let running: Running;
  let port: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tp-serve-'));
    port = await freePort();
    running = start(['serve'], { DATA_DIR: dataDir, PORT: String(port), DEMO_PASSWORD: 'demo-pass-2026' });
    await waitForOk(`http://127.0.0.1:${port}/readyz`, 90_000);
  }, 120_000);

  afterAll(async () => {
    running?.child.kill('SIGTERM');
    await running?.exit;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers /readyz with the database, queue and demo cloud ready', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok', cloud: 'ok' } });
  });

  it('binds the demo tenant to the simulator’s demo project', async () => {
    const cloudsYaml = await readFile(join(dataDir, 'sim', 'clouds.yaml'), 'utf8');
    expect(cloudsYaml).toContain('sim-demo:');
    expect(cloudsYaml).toMatch(/auth_url: http:\/\/127\.0\.0\.1:\d+\/identity\/v3/);
  });

  it('seeds the demo users with DEMO_PASSWORD', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo', password: 'demo-pass-2026' }),
    });
    const body = (await response.json()) as { tenant: { name: string }; role: string };

    expect(response.status).toBe(200);
    expect(body.tenant.name).toBe('示例租户');
    expect(body.role).toBe('admin');
  });

  it('refuses a CLI command on the database serve holds', async () => {
    const reset = start(['user', 'reset-password', '--username', 'demo'], { DATA_DIR: dataDir });
    expect(await reset.exit).toBe(1);
    expect(reset.output()).toMatch(/open in process \d+/);
    expect(reset.output()).not.toContain('    at ');
  });

  it('generates the encryption key into DATA_DIR with mode 0600', async () => {
    const info = await stat(join(dataDir, 'encryption.key'));
    expect(info.mode & 0o777).toBe(0o600);
  });

  it('writes JSON log lines without the demo password', () => {
    const lines = running.output().split('\n').filter((line) => line.startsWith('{'));
    expect(lines.some((line) => JSON.parse(line).msg === 'tenant portal serving')).toBe(true);
    expect(running.output()).not.toContain('demo-pass-2026');
  });

  it('stops cleanly on SIGTERM', async () => {
    running.child.kill('SIGTERM');
    expect(await running.exit).toBe(0);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('tenant-portal migrate, user and worker on PostgreSQL', () => {
  let databaseUrl: string;
  let scratch: ScratchDatabase;

  beforeAll(async () => {
    scratch = await createScratchDatabase('tp_cli');
    databaseUrl = scratch.url;
  });

  afterAll(async () => {
    await scratch?.drop();
  });

  it('migrates, creates a user, and runs a worker until SIGTERM', async () => {
    const env = { DATABASE_URL: databaseUrl, PORTAL_MODE: 'production', PORTAL_ENCRYPTION_KEY: 'ci:' + Buffer.alloc(32, 7).toString('base64') };

    const migrate = start(['migrate'], env);
    expect(await migrate.exit).toBe(0);

    const user = start(['user', 'create', '--username', 'ops', '--platform-operator'], env);
    expect(await user.exit).toBe(0);
    expect(user.output()).toMatch(/User ops created/);
    expect(user.output()).toMatch(/Password: \S{16,}/);

    const seed = start(['seed'], env);
    expect(await seed.exit).toBe(1);
    expect(seed.output()).toMatch(/never created in production mode/);

    const metricsPort = await freePort();
    const worker = start(['worker'], { ...env, WORKER_METRICS_PORT: String(metricsPort) });
    const deadline = Date.now() + 60_000;
    while (!worker.output().includes('tenant portal worker running') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(worker.output()).toContain('tenant portal worker running');
    const metrics = await (await waitForOk(`http://127.0.0.1:${metricsPort}/metrics`, 10_000)).text();
    expect(metrics).toContain('# HELP tenant_portal_job_runs_total');
    expect(metrics).toContain('tenant_portal_worker_process_cpu_seconds_total');
    worker.child.kill('SIGTERM');
    expect(await worker.exit).toBe(0);
  }, 120_000);
});

describe('tenant-portal worker without PostgreSQL', () => {
  it('refuses with a message that says what to set', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tp-worker-'));
    try {
      const worker = start(['worker'], { DATA_DIR: dataDir });
      expect(await worker.exit).toBe(1);
      expect(worker.output()).toMatch(/DATABASE_URL/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

import { resolve } from 'node:path';

/** Settings read once from the environment at start; see the configuration table in README.md. */
export interface PortalConfig {
  /** `demo` seeds sample data and runs the simulated cloud; `production` never does. */
  mode: 'demo' | 'production';
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL URL; null selects the embedded database under `dataDir`. */
  databaseUrl: string | null;
  logLevel: string;
  /** Run job handlers inside `serve`. Default: true on the embedded database, false on PostgreSQL. */
  workersInProcess: boolean;
  session: {
    idleTimeoutMs: number;
    absoluteTimeoutMs: number;
    /** Send the session cookie with `Secure`. Default: true in production, false in demo. */
    cookieSecure: boolean;
  };
  loginThrottle: {
    maxFailuresPerAccount: number;
    maxFailuresPerAddress: number;
    /** Failures older than this no longer count, and a lock lasts this long. */
    windowMs: number;
  };
  bodyLimitBytes: number;
  trustProxy: boolean;
  redisUrl: string | null;
  billingTimeZone: string;
  demoPassword: string | null;
  /** Name of the cloud in clouds.yaml (`OS_CLOUD`), or null when none is configured. */
  cloudName: string | null;
  /** Requests per minute and user (or client address) on the VM and catalog API, by route class. */
  rateLimits?: { readsPerMinute: number; actionsPerMinute: number; createsPerMinute: number };
  /** Time a VM action may take before its operation counts as timed out, in seconds. Default 600. */
  vmActionDeadlineSeconds?: number;
  /** Port on which a separate `worker` serves /metrics, or null for none (WORKER_METRICS_PORT). */
  workerMetricsPort: number | null;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;

  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${env[name]}".`);
}

function readText(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name]?.trim();
  return raw ? raw : null;
}

function readTimeZone(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const zone = readText(env, name) ?? fallback;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError(name, `unknown IANA time zone "${zone}"; use a name such as Asia/Shanghai.`);
  }
  return zone;
}

/** Reads and checks every setting; throws ConfigError naming the first invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  const cloudName = readText(env, 'OS_CLOUD');
  const cloudConfigured = cloudName !== null || readText(env, 'OS_AUTH_URL') !== null;

  const requestedMode = readText(env, 'PORTAL_MODE');
  if (requestedMode !== null && requestedMode !== 'demo' && requestedMode !== 'production') {
    throw new ConfigError('PORTAL_MODE', `expected demo or production, got "${requestedMode}".`);
  }
  const mode = requestedMode ?? (cloudConfigured ? 'production' : 'demo');

  const databaseUrl = readText(env, 'DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'expected a postgres:// or postgresql:// URL.');
  }

  return {
    mode,
    host: readText(env, 'HOST') ?? '127.0.0.1',
    port: readInteger(env, 'PORT', 8080, 0, 65535),
    dataDir: resolve(readText(env, 'DATA_DIR') ?? './data'),
    databaseUrl,
    logLevel: readText(env, 'LOG_LEVEL') ?? 'info',
    workersInProcess: readBoolean(env, 'WORKERS_IN_PROCESS', databaseUrl === null),
    session: {
      idleTimeoutMs: readInteger(env, 'SESSION_IDLE_TIMEOUT_MINUTES', 30, 1, 24 * 60) * 60_000,
      absoluteTimeoutMs: readInteger(env, 'SESSION_ABSOLUTE_TIMEOUT_HOURS', 12, 1, 24 * 30) * 3_600_000,
      cookieSecure: readBoolean(env, 'COOKIE_SECURE', mode === 'production'),
    },
    loginThrottle: {
      maxFailuresPerAccount: readInteger(env, 'LOGIN_MAX_FAILURES_PER_ACCOUNT', 5, 1, 1000),
      maxFailuresPerAddress: readInteger(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 100_000),
      windowMs: readInteger(env, 'LOGIN_LOCK_MINUTES', 15, 1, 24 * 60) * 60_000,
    },
    bodyLimitBytes: readInteger(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    trustProxy: readBoolean(env, 'TRUST_PROXY', false),
    redisUrl: readText(env, 'REDIS_URL'),
    billingTimeZone: readTimeZone(env, 'BILLING_TIMEZONE', 'Asia/Shanghai'),
    demoPassword: readText(env, 'DEMO_PASSWORD'),
    cloudName,
    rateLimits: {
      readsPerMinute: readInteger(env, 'RATE_LIMIT_READS_PER_MINUTE', 300, 1, 1_000_000),
      actionsPerMinute: readInteger(env, 'RATE_LIMIT_ACTIONS_PER_MINUTE', 60, 1, 1_000_000),
      createsPerMinute: readInteger(env, 'RATE_LIMIT_CREATES_PER_MINUTE', 20, 1, 1_000_000),
    },
    vmActionDeadlineSeconds: readInteger(env, 'VM_ACTION_DEADLINE_SECONDS', 600, 1, 24 * 3600),
    workerMetricsPort: readText(env, 'WORKER_METRICS_PORT') === null ? null : readInteger(env, 'WORKER_METRICS_PORT', 0, 0, 65535),
  };
}

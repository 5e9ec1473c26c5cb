import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { SimUserConfig } from './demo-data.ts';
import type { FaultConfig } from './faults.ts';
import { validateFaultConfig } from './faults.ts';
import type { Simulator, SimulatorOptions } from './index.ts';
import { startSimulator } from './index.ts';
import type { Timings } from './state/lifecycle.ts';

/**
 * Options of `tenant-portal sim`. For commander:
 *
 *   .command('sim')
 *   .description('Run the OpenStack simulator (Keystone, Nova, Glance, Neutron, Cinder) on one port')
 *   .option('--port <number>', 'TCP port to listen on (0 picks a free one)', '8780')
 *   .option('--host <address>', 'address to listen on', '127.0.0.1')
 *   .option('--seed <value>', 'seed for ids, MAC addresses and faults', '42')
 *   .option('--data-dir <path>', 'folder for sim-state.json; without it state lives in memory only')
 *   .option('--clouds-yaml <path>', 'write a clouds.yaml with clouds sim-admin, sim-demo, sim-alt')
 *   .option('--faults <path>', 'fault configuration file (YAML or JSON), see docs/simulator.md')
 *   .option('--config <path>', 'simulator configuration file (users, timings, maxLimit, ...)')
 *   .option('--max-limit <number>', 'largest servers page Nova returns (its [api] max_limit)')
 *   .option('--token-lifetime <seconds>', 'lifetime of issued tokens in seconds')
 *   .option('--admin-secret <value>', 'value of the X-Sim-Admin-Secret header for /_sim (default: $SIM_ADMIN_SECRET or random)')
 *   .option('--latency <ms>', 'fixed delay added to every request, in milliseconds')
 *   .option('--error-rate <fraction>', 'probability (0 to 1) that any request fails with 500')
 *   .option('--burst503 <count>', 'the first N requests fail with 503')
 *   .option('--build-error-rate <fraction>', 'probability (0 to 1) that a server build ends in ERROR')
 *   .option('--build-stuck-rate <fraction>', 'probability (0 to 1) that a server build never leaves BUILD')
 *   .action((opts) => runSimCommand(opts))
 */
export interface SimCommandOptions {
  port?: number | string;
  host?: string;
  seed?: number | string;
  dataDir?: string;
  cloudsYaml?: string;
  /** Path of a fault configuration file. */
  faults?: string;
  /** Path of a simulator configuration file. */
  config?: string;
  maxLimit?: number | string;
  tokenLifetime?: number | string;
  adminSecret?: string;
  /** Fault shortcuts; they override the same settings of the faults file. */
  latency?: number | string;
  errorRate?: number | string;
  burst503?: number | string;
  buildErrorRate?: number | string;
  buildStuckRate?: number | string;
}

/** Contents of `--config FILE`; every key is optional. */
export interface SimConfigFile {
  users?: SimUserConfig[];
  timings?: Partial<Timings>;
  maxLimit?: number;
  tokenLifetimeSeconds?: number;
  faults?: FaultConfig;
  adminSecret?: string;
  publicUrl?: string;
}

function readYamlFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parse(text);
  } catch (error) {
    throw new Error(`${what} file ${path} is not valid YAML or JSON: ${(error as Error).message}`, { cause: error });
  }
}

function toFraction(value: number | string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 1) throw new Error(`--${name} must be a number from 0 to 1, got "${value}"`);
  return number;
}

/** Applies the fault shortcut flags on top of the faults from files. */
function withFaultFlags(faults: FaultConfig | undefined, options: SimCommandOptions): FaultConfig | undefined {
  const latency = toInteger(options.latency, 'latency');
  const errorRate = toFraction(options.errorRate, 'error-rate');
  const burst503 = toInteger(options.burst503, 'burst503');
  const buildErrorRate = toFraction(options.buildErrorRate, 'build-error-rate');
  const buildStuckRate = toFraction(options.buildStuckRate, 'build-stuck-rate');
  if ([latency, errorRate, burst503, buildErrorRate, buildStuckRate].every((v) => v === undefined)) return faults;
  const merged: FaultConfig = structuredClone(faults ?? {});
  if (latency !== undefined) merged.latency = { distribution: 'fixed', ms: latency };
  if (errorRate !== undefined) merged.routes = [...(merged.routes ?? []), { path: '*', errorRate, status: 500 }];
  if (burst503 !== undefined) merged.burst503 = burst503;
  if (buildErrorRate !== undefined) merged.build = { ...merged.build, errorRate: buildErrorRate };
  if (buildStuckRate !== undefined) merged.build = { ...merged.build, stuckRate: buildStuckRate };
  return merged;
}

function toInteger(value: number | string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} must be a whole number >= 0, got "${value}"`);
  return number;
}

/** Turns CLI options and files into SimulatorOptions; throws with a readable message when invalid. */
export function simulatorOptionsFrom(options: SimCommandOptions): SimulatorOptions {
  const file = options.config ? (readYamlFile(options.config, 'config') as SimConfigFile | null) ?? {} : {};
  let faults = file.faults;
  if (options.faults) {
    faults = (readYamlFile(options.faults, 'faults') as FaultConfig | null) ?? {};
    const problems = validateFaultConfig(faults);
    if (problems.length > 0) throw new Error(`faults file ${options.faults} is invalid: ${problems.join('; ')}`);
  }
  faults = withFaultFlags(faults, options);
  const port = toInteger(options.port, 'port') ?? 8780;
  const maxLimit = toInteger(options.maxLimit, 'max-limit') ?? file.maxLimit;
  const tokenLifetime = toInteger(options.tokenLifetime, 'token-lifetime') ?? file.tokenLifetimeSeconds;
  const seedText = options.seed ?? 42;
  const seed = typeof seedText === 'string' && /^\d+$/.test(seedText) ? Number(seedText) : seedText;
  return {
    port,
    host: options.host ?? '127.0.0.1',
    seed,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(file.users ? { users: file.users } : {}),
    ...(file.timings ? { timings: file.timings } : {}),
    ...(maxLimit !== undefined ? { maxLimit } : {}),
    ...(tokenLifetime !== undefined ? { tokenLifetimeSeconds: tokenLifetime } : {}),
    ...(faults ? { faults } : {}),
    ...(file.publicUrl ? { publicUrl: file.publicUrl } : {}),
    adminSecret: options.adminSecret ?? file.adminSecret ?? process.env.SIM_ADMIN_SECRET,
    logger: { level: process.env.SIM_LOG_LEVEL ?? 'info' } as unknown as SimulatorOptions['logger'],
  };
}

/**
 * Starts the simulator for `tenant-portal sim`, prints where it listens, writes clouds.yaml when
 * asked, and stops cleanly (writing the snapshot) on SIGINT or SIGTERM.
 */
export async function runSimCommand(options: SimCommandOptions): Promise<Simulator> {
  const simulator = await startSimulator(simulatorOptionsFrom(options));
  if (options.cloudsYaml) simulator.writeCloudsYaml(options.cloudsYaml);
  const lines = [
    `OpenStack simulator listening on ${simulator.url}`,
    `  auth URL:      ${simulator.authUrl}`,
    `  users:         ${simulator.users.map((u) => `${u.name}/${u.password} (project ${u.project}, role ${u.role})`).join(', ')}`,
    `  admin API:     ${simulator.url}/_sim/state with header X-Sim-Admin-Secret: ${simulator.adminSecret}`,
    options.cloudsYaml ? `  clouds.yaml:   ${options.cloudsYaml} (clouds ${simulator.users.map((u) => `sim-${u.name}`).join(', ')})` : '',
    options.dataDir ? `  state file:    ${options.dataDir}/sim-state.json` : '  state:         in memory only (use --data-dir to keep it)',
  ].filter(Boolean);
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    simulator.app.log.info({ signal }, 'simulator stopping');
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        simulator.app.log.error({ err: error }, 'simulator stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return simulator;
}

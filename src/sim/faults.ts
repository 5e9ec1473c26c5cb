import { Random } from './random.ts';
import type { BuildOutcome } from './state/store.ts';

/** Delay added before a response, in milliseconds. */
export type LatencySpec =
  | { distribution: 'fixed'; ms: number }
  | { distribution: 'uniform'; min: number; max: number }
  | { distribution: 'normal'; mean: number; stddev: number };

/** Error and latency injection for requests whose method and path match. */
export interface RouteFault {
  /** HTTP method, or omitted for any. */
  method?: string;
  /** Path glob: `*` matches any characters including `/`, e.g. `/compute/v2.1/servers*`. */
  path: string;
  /** Probability in [0, 1] that a matching request fails with `status`. */
  errorRate?: number;
  /** Status of injected errors; 500 by default. */
  status?: number;
  message?: string;
  latency?: LatencySpec;
}

export interface BuildFaults {
  /** Probability that a build ends in ERROR with a `fault`. */
  errorRate?: number;
  /** Probability that a build never leaves BUILD (task_state spawning). */
  stuckRate?: number;
  /** The next N builds end in ERROR, before rates apply. */
  nextErrors?: number;
  /** The next N builds stay in BUILD. */
  nextStuck?: number;
  /** `fault.message` for failed builds. */
  faultMessage?: string;
}

/** Fault configuration, as read from `--faults FILE` (YAML or JSON) or `POST /_sim/faults`. */
export interface FaultConfig {
  /** Latency for every request that no route rule gives one. */
  latency?: LatencySpec;
  routes?: RouteFault[];
  /** The next N requests to any service fail with 503. */
  burst503?: number;
  build?: BuildFaults;
  /** Lifetime of newly issued tokens in seconds (Keystone's default is 3600). */
  tokenLifetimeSeconds?: number;
}

export interface InjectedFault {
  delayMs: number;
  error?: { status: number; message: string };
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function sampleLatency(spec: LatencySpec | undefined, random: Random): number {
  if (!spec) return 0;
  switch (spec.distribution) {
    case 'fixed':
      return Math.max(0, spec.ms);
    case 'uniform':
      return Math.max(0, spec.min + random.float() * (spec.max - spec.min));
    case 'normal':
      return Math.max(0, random.normal(spec.mean, spec.stddev));
  }
}

/** Validates a fault configuration and returns a list of problems (empty when valid). */
export function validateFaultConfig(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['fault config must be an object'];
  const config = value as Record<string, unknown>;
  const known = new Set(['latency', 'routes', 'burst503', 'build', 'tokenLifetimeSeconds']);
  for (const key of Object.keys(config)) if (!known.has(key)) problems.push(`unknown key "${key}" (expected one of ${[...known].join(', ')})`);
  const checkLatency = (spec: unknown, where: string) => {
    if (spec === undefined) return;
    const s = spec as Record<string, unknown>;
    if (s.distribution === 'fixed' && typeof s.ms === 'number') return;
    if (s.distribution === 'uniform' && typeof s.min === 'number' && typeof s.max === 'number' && s.min <= s.max) return;
    if (s.distribution === 'normal' && typeof s.mean === 'number' && typeof s.stddev === 'number') return;
    problems.push(`${where}: latency must be {distribution: fixed, ms} or {distribution: uniform, min, max} or {distribution: normal, mean, stddev}`);
  };
  checkLatency(config.latency, 'latency');
  if (config.routes !== undefined) {
    if (!Array.isArray(config.routes)) problems.push('routes must be a list');
    else
      config.routes.forEach((route: unknown, i) => {
        const r = route as Record<string, unknown>;
        if (typeof r?.path !== 'string') problems.push(`routes[${i}].path must be a string`);
        if (r?.errorRate !== undefined && (typeof r.errorRate !== 'number' || r.errorRate < 0 || r.errorRate > 1)) problems.push(`routes[${i}].errorRate must be a number in [0, 1]`);
        if (r?.status !== undefined && (typeof r.status !== 'number' || r.status < 400 || r.status > 599)) problems.push(`routes[${i}].status must be an HTTP error status (400-599)`);
        checkLatency(r?.latency, `routes[${i}]`);
      });
  }
  if (config.burst503 !== undefined && (!Number.isInteger(config.burst503) || (config.burst503 as number) < 0)) problems.push('burst503 must be an integer >= 0');
  if (config.tokenLifetimeSeconds !== undefined && (typeof config.tokenLifetimeSeconds !== 'number' || config.tokenLifetimeSeconds <= 0)) {
    problems.push('tokenLifetimeSeconds must be a number > 0');
  }
  const build = config.build as Record<string, unknown> | undefined;
  if (build !== undefined) {
    for (const key of ['errorRate', 'stuckRate']) {
      const v = build[key];
      if (v !== undefined && (typeof v !== 'number' || v < 0 || v > 1)) problems.push(`build.${key} must be a number in [0, 1]`);
    }
    for (const key of ['nextErrors', 'nextStuck']) {
      const v = build[key];
      if (v !== undefined && (!Number.isInteger(v) || (v as number) < 0)) problems.push(`build.${key} must be an integer >= 0`);
    }
  }
  return problems;
}

/**
 * Decides, per request and per build, which faults to inject. Uses its own seeded random stream,
 * so enabling faults never changes the ids the simulator hands out.
 */
export class FaultInjector {
  private config: FaultConfig = {};
  private compiled: { fault: RouteFault; pattern: RegExp }[] = [];
  private burstLeft = 0;
  private readonly random: Random;

  constructor(
    seed: number | string,
    private readonly onTokenLifetime: (seconds: number | undefined) => void = () => {},
  ) {
    this.random = new Random(`${seed}/faults`);
  }

  /** Replaces the whole configuration; throws with every problem listed when it is invalid. */
  configure(config: FaultConfig): void {
    const problems = validateFaultConfig(config);
    if (problems.length > 0) throw new Error(`invalid fault config: ${problems.join('; ')}`);
    this.config = structuredClone(config);
    this.compiled = (config.routes ?? []).map((fault) => ({ fault, pattern: globToRegExp(fault.path) }));
    this.burstLeft = config.burst503 ?? 0;
    this.onTokenLifetime(config.tokenLifetimeSeconds);
  }

  /** Current configuration with the remaining counters. */
  current(): FaultConfig {
    return {
      ...structuredClone(this.config),
      burst503: this.burstLeft,
      ...(this.config.build ? { build: { ...this.config.build } } : {}),
    };
  }

  forRequest(method: string, path: string): InjectedFault {
    const rule = this.compiled.find(({ fault, pattern }) => (!fault.method || fault.method.toUpperCase() === method) && pattern.test(path))?.fault;
    const delayMs = sampleLatency(rule?.latency ?? this.config.latency, this.random);
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return { delayMs, error: { status: 503, message: 'The server is currently unavailable. Please try again at a later time.' } };
    }
    if (rule?.errorRate !== undefined && this.random.float() < rule.errorRate) {
      return { delayMs, error: { status: rule.status ?? 500, message: rule.message ?? 'Simulated failure injected by the simulator.' } };
    }
    return { delayMs };
  }

  nextBuildOutcome(): BuildOutcome {
    const build = this.config.build;
    if (!build) return { outcome: 'active' };
    const message = build.faultMessage ?? 'Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures.';
    if (build.nextErrors && build.nextErrors > 0) {
      build.nextErrors--;
      return { outcome: 'error', faultMessage: message };
    }
    if (build.nextStuck && build.nextStuck > 0) {
      build.nextStuck--;
      return { outcome: 'stuck' };
    }
    const roll = this.random.float();
    if (build.errorRate && roll < build.errorRate) return { outcome: 'error', faultMessage: message };
    if (build.stuckRate && roll < (build.errorRate ?? 0) + build.stuckRate) return { outcome: 'stuck' };
    return { outcome: 'active' };
  }
}

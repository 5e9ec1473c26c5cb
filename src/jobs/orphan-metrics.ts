import { Gauge } from 'prom-client';
import { ORPHAN_KINDS, type OrphanKind } from '../domain/orphan-servers.ts';
import { jobMetricsRegistry } from './job-metrics.ts';

/**
 * Open orphan rows by kind, as counted after the last successful orphan-sweep run in this process.
 * A process that has not run the sweep yet reports no value, like the other job metrics.
 */
const openOrphans = new Gauge({
  name: 'tenant_portal_orphan_servers',
  help: 'Servers in bound projects that no VM record owns and that are not resolved, by kind (unknown, no_record, failed_create).',
  labelNames: ['kind'] as const,
  registers: [jobMetricsRegistry],
});

/** Sets the gauge for every kind, so a kind whose rows were all resolved drops to 0. */
export function recordOpenOrphans(counts: Record<OrphanKind, number>): void {
  for (const kind of ORPHAN_KINDS) openOrphans.set({ kind }, counts[kind]);
}

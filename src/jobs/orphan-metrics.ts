import { Gauge } from 'prom-client';
import { ORPHAN_KINDS, type OrphanKind } from '../domain/orphan-servers.ts';
import type { Db } from '../db/database.ts';
import { countOpenOrphans } from '../services/sync/orphan-records.ts';
import { jobMetricsRegistry } from './job-metrics.ts';

/** Database the gauge counts from at scrape time; null until a process binds one. */
let source: Db | null = null;

/**
 * Open orphan rows by kind. A process that bound the database counts them at each scrape, so every
 * `serve` and `worker` shows the same value whichever process ran the sweep. An unbound process
 * shows the count after its own last sweep.
 */
const openOrphans = new Gauge({
  name: 'tenant_portal_orphan_servers',
  help: 'Servers in bound projects that no VM record owns and that are not resolved, by kind (unknown, no_record, failed_create).',
  labelNames: ['kind'] as const,
  registers: [jobMetricsRegistry],
  async collect() {
    if (source !== null) recordOpenOrphans(await countOpenOrphans(source));
  },
});

/** Makes the gauge count open orphan rows in this database at every scrape; null unbinds it. */
export function bindOrphanGauge(db: Db | null): void {
  source = db;
}

/** Sets the gauge for every kind, so a kind whose rows were all resolved drops to 0. */
export function recordOpenOrphans(counts: Record<OrphanKind, number>): void {
  for (const kind of ORPHAN_KINDS) openOrphans.set({ kind }, counts[kind]);
}

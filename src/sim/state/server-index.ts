import type { Server } from './types.ts';

/**
 * Servers sorted oldest first by (created_at, id). Nova lists newest first (created_at, then id,
 * both descending), so a page is a binary search for the marker plus a backward walk of `limit`
 * entries instead of a sort of all servers per request. New servers append in O(1), and removal
 * splices the array.
 */
export class ServerOrder {
  /** Oldest first; Nova's list order is this array read backwards. */
  readonly items: Server[] = [];

  insert(server: Server): void {
    const last = this.items[this.items.length - 1];
    if (!last || comesBefore(server.createdAt, server.id, last.createdAt, last.id)) {
      this.items.push(server);
      return;
    }
    this.items.splice(this.lowerBound(server.createdAt, server.id), 0, server);
  }

  remove(server: Server): void {
    const at = this.lowerBound(server.createdAt, server.id);
    if (this.items[at] === server) this.items.splice(at, 1);
  }

  /** Index of the first entry not older than (createdAt, id). */
  lowerBound(createdAt: number, id: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.items[mid] as Server;
      if (comesBefore(createdAt, id, item.createdAt, item.id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Index where a backward walk in list order starts after the marker: the newest entry older
   * than the marker, or -1 when none is. The marker need not be in this order.
   */
  startAfter(marker: Server): number {
    return this.lowerBound(marker.createdAt, marker.id) - 1;
  }
}

/** True when (createdA, idA) is listed before (createdB, idB): newer first, then larger id first. */
export function comesBefore(createdA: number, idA: string, createdB: number, idB: string): boolean {
  if (createdA !== createdB) return createdA > createdB;
  return idA > idB;
}

/**
 * Append-only log of (updatedAt, server) written on every change, so `changes-since` finds the
 * servers changed after a time with a binary search instead of a scan. Entries made stale by a
 * later change are skipped by comparing versions, and the log is compacted when it grows to twice
 * the number of servers.
 */
export class UpdatedLog {
  private entries: { updatedAt: number; version: number; server: Server }[] = [];

  record(server: Server): void {
    const last = this.entries[this.entries.length - 1];
    if (last && last.updatedAt > server.updatedAt) {
      // Clock moved backwards (a snapshot from the future, say): keep the log sorted.
      this.entries.push({ updatedAt: server.updatedAt, version: server.version, server });
      this.entries.sort((a, b) => a.updatedAt - b.updatedAt);
      return;
    }
    this.entries.push({ updatedAt: server.updatedAt, version: server.version, server });
  }

  /** Servers whose latest change is at or after `since` (ms), each once. */
  changedSince(since: number): Server[] {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as { updatedAt: number }).updatedAt < since) lo = mid + 1;
      else hi = mid;
    }
    const out: Server[] = [];
    for (let i = lo; i < this.entries.length; i++) {
      const entry = this.entries[i] as { version: number; server: Server };
      if (entry.version === entry.server.version) out.push(entry.server);
    }
    return out;
  }

  compactIfLarge(liveCount: number): void {
    if (this.entries.length <= Math.max(1024, liveCount * 2)) return;
    this.entries = this.entries.filter((e) => e.version === e.server.version);
  }
}

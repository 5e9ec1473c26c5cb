import type { Server } from './types.ts';

/**
 * Servers in Nova's default list order (created_at descending, then id descending), so a page
 * starts with a binary search for the marker and reads `limit` entries instead of sorting all
 * servers on every request. Insertion and removal splice an array: O(n) moves but no sort, which
 * stays well under a millisecond at 50,000 servers.
 */
export class ServerOrder {
  readonly items: Server[] = [];

  insert(server: Server): void {
    this.items.splice(this.lowerBound(server.createdAt, server.id), 0, server);
  }

  remove(server: Server): void {
    const at = this.lowerBound(server.createdAt, server.id);
    if (this.items[at] === server) this.items.splice(at, 1);
  }

  /** Index of the first entry at or after (createdAt, id) in list order. */
  lowerBound(createdAt: number, id: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const item = this.items[mid] as Server;
      if (comesBefore(item.createdAt, item.id, createdAt, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry after the marker server. */
  afterMarker(marker: Server): number {
    const at = this.lowerBound(marker.createdAt, marker.id);
    return this.items[at] === marker ? at + 1 : at;
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

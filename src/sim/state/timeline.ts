/**
 * Queue of pending state changes ordered by due time (a binary min-heap). Before handling a
 * request the store pops every entry whose time has come, so state advances lazily with the
 * injected clock and no timers run.
 */
export interface TimelineEntry {
  due: number;
  seq: number;
  /** Server or volume id. */
  targetId: string;
  /** Version of the target when the entry was queued; a later change makes the entry stale. */
  version: number;
}

export class Timeline {
  private heap: TimelineEntry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(due: number, targetId: string, version: number): void {
    this.heap.push({ due, seq: this.seq++, targetId, version });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.heap[i] as TimelineEntry, this.heap[parent] as TimelineEntry)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the earliest entry due at or before `now`. */
  popDue(now: number): TimelineEntry | undefined {
    const top = this.heap[0];
    if (!top || top.due > now) return undefined;
    const last = this.heap.pop() as TimelineEntry;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < this.heap.length && before(this.heap[left] as TimelineEntry, this.heap[smallest] as TimelineEntry)) smallest = left;
        if (right < this.heap.length && before(this.heap[right] as TimelineEntry, this.heap[smallest] as TimelineEntry)) smallest = right;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }

  private swap(i: number, j: number): void {
    const t = this.heap[i] as TimelineEntry;
    this.heap[i] = this.heap[j] as TimelineEntry;
    this.heap[j] = t;
  }
}

function before(a: TimelineEntry, b: TimelineEntry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

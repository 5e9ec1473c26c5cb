/** Source of the current time in milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** Wall-clock time. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Clock that moves only through `advance` and `set`, so tests can jump over build and stop
 * durations without sleeping. Both reject moving time backwards.
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number | string = '2026-01-01T00:00:00Z') {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    this.current += ms;
  }

  set(time: number): void {
    if (time < this.current) throw new RangeError(`ManualClock.set: ${time} is before the current time ${this.current}`);
    this.current = time;
  }
}

/** Formats a time the way Nova and Neutron print `created`/`updated`: `2026-12-04T19:19:32Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Formats a time as Nova's `OS-SRV-USG:launched_at`: microseconds and no zone. */
export function isoMicrosNoZone(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}

/** Formats a time as Keystone's `expires_at`: `2026-12-04T21:19:32.000000Z`. */
export function isoMicrosZ(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

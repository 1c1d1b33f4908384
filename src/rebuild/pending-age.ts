import type { PendingErasure } from '../consent/pending-erasure';

/**
 * How long what waits for the erasure has been held, on the wall clock and on the monotonic one: the longer of the two.
 * The wall clock alone made it younger when stepped back (NTP), by the step (a negative lag, an erasure put off by an
 * hour); the monotonic clock alone misses a laptop's sleep, during which the bound runs on for the data on its disk.
 */
export class PendingAge {
  /** Private: when each held customer or version was first seen here, on the monotonic clock (performance.now). */
  private seenAt = new Map<string, number>();
  /** Private: when this process first looked, on the monotonic clock: what it found then has an unknown age. */
  private firstAt?: number;

  /** Milliseconds since the oldest thing still pending was first seen (0 when none). */
  ageMs(pending: PendingErasure): number {
    const wallNow = Date.now();
    const monoNow = performance.now();
    const seenAt = new Map<string, number>();
    let oldestWall = wallNow;
    let oldestMono = monoNow;
    const add = (key: string, since: Date): void => {
      const at = this.seenAt.get(key) ?? monoNow - Math.max(0, wallNow - since.getTime());
      seenAt.set(key, at);
      oldestWall = Math.min(oldestWall, since.getTime());
      oldestMono = Math.min(oldestMono, at);
    };
    for (const [email, since] of pending.since) add(`held ${email}`, since);
    for (const [version, since] of pending.abandoned) add(`abandoned ${version}`, since);
    for (const [version, since] of pending.unreadable) add(`unreadable ${version}`, since);
    this.seenAt = seenAt;
    return Math.max(wallNow - oldestWall, monoNow - oldestMono);
  }

  /** Called at each consent refresh, before ageMs: the first one is when this process first looked. */
  look(): void {
    this.firstAt ??= performance.now();
  }

  /** Whether something pending was already held when this process first looked (as of the last ageMs). */
  heldAtFirstLook(): boolean {
    const first = this.firstAt;
    return first !== undefined && [...this.seenAt.values()].some((at) => at <= first);
  }
}

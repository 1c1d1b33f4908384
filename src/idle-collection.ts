import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { releaseKeptBytes } from './byte-pool';

/**
 * One full garbage collection once a server process has had nothing to do for
 * a while: start-up (the schema, the consent read, the first load of the live
 * version) or a burst of requests leaves garbage and a grown young generation
 * that V8 keeps committed while the process idles. A full collection taken
 * once allocation has been quiet for about 5 s (V8's own measure of it) also
 * shrinks the young generation back to its first size: a worker's 8 MiB
 * semi-spaces held 16 MiB after start-up, 1 MiB after. So two per quiet
 * spell: after `firstMs` (the garbage) and `SHRINK_AFTER_MS` later (the young
 * generation), and a third `SHRINK_AFTER_MS` after that if the young generation
 * is still grown. Never while busy: a request or a staged version is activity,
 * and a collection (about 60 ms on a worker's 25 MiB heap) waits for that long
 * without any. A spell after too little allocation (health probes every few
 * seconds) collects nothing: the heap must have grown MIN_GROWTH_BYTES since the last.
 *
 * A full collection also throws away the optimised code of the requests served
 * before it (V8 deoptimises code whose embedded objects died), so the next
 * request runs unoptimised: a page of 10,000 readings after a 3.5 s pause took
 * about twice the main-thread time with it. Once start-up's spell is over and
 * requests have been served since the last collection, the first collection also waits until AFTER_REQUESTS_MS
 * after the last of them: a client pausing between requests (a notebook, a
 * rebuild's poll) keeps its fast code. Probes (health, readiness, metrics) are
 * activity but not served requests: probed every few seconds, a process still
 * collects AFTER_REQUESTS_MS after its last real request.
 */

/** From one collection of a quiet spell to the next: V8 shrinks the young generation only after ~5 s of little allocation. */
export const SHRINK_AFTER_MS = 4_500;

/**
 * A young generation above this after a spell's second collection was not shrunk (1 MiB once V8 shrinks it,
 * 16 MiB as start-up grows it under an 8 MiB semi-space cap), so the spell runs a third SHRINK_AFTER_MS later.
 * V8 shrinks it only if its allocation rate, measured from one collection back over at least 5 s, is low: after
 * a busy stretch just before the first collection, the second often still counted it (bench/performance-log.md, session 8).
 */
export const SHRUNK_YOUNG_BYTES = 2 * 1024 * 1024;

const youngGenerationBytes = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

type Gc = (options?: { type: 'minor' | 'major' }) => void;

/** Quiet before the first collection of a spell that follows requests (see above): longer than a client's pause between requests. */
export const AFTER_REQUESTS_MS = 30_000;

/** Heap growth since the last idle collection below which a quiet spell collects nothing. */
export const MIN_GROWTH_BYTES = 4 * 1024 * 1024;

/** V8's gc(), made callable in this process (Node hides it without --expose-gc); undefined if V8 refuses. */
export function fullCollection(): Gc | undefined {
  const exposed = (globalThis as { gc?: Gc }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as Gc) : undefined;
  } catch {
    return undefined;
  }
}

export class IdleCollection {
  private lastActivity: number;
  /** Collections run since the last activity (up to spellLength). */
  private done = 0;
  /** Requests under way. */
  private busy = 0;
  /** Requests begun since the last collection (their optimised code is what a collection would throw away). */
  private served = 0;
  /** When the last served request ended. */
  private lastServed: number;
  /** When this spell's last collection ran. */
  private lastAt = 0;
  /** Collections this spell runs: 2, or 3 when the second left the young generation grown. */
  private spellLength = 2;
  /** The heap in use just after the last collection (0 before any: start-up always collects). */
  private afterLast = 0;
  /** A spell has run all its collections: start-up's garbage is gone and the young generation it grew is back to its first size. */
  private settled = false;
  private timer?: NodeJS.Timeout;
  /** Collections run so far (for tests and diagnostics). */
  collections = 0;

  constructor(
    /** Quiet ms before the first collection; 0: none ever. */
    private readonly firstMs: number,
    private readonly collect: Gc | undefined = firstMs > 0 ? fullCollection() : undefined,
    private readonly now: () => number = () => performance.now(),
    private readonly heapUsed: () => number = () => getHeapStatistics().used_heap_size,
    /** Quiet since the last served request before a collection, once requests were served since the last one (start-up's needs only `firstMs`). */
    private readonly afterRequestsMs = Math.max(firstMs, AFTER_REQUESTS_MS),
    private readonly youngBytes: () => number = youngGenerationBytes,
  ) {
    this.lastActivity = now();
    this.lastServed = this.lastActivity;
  }

  /** Something happened (a request, a staged version): the quiet spell starts again. */
  activity(): void {
    this.lastActivity = this.now();
    this.done = 0;
  }

  /** Work that may outlast the quiet spell (a long export, a large page) starts: no collection until it ends. `served`: false for a probe. */
  begin(served = true): void {
    this.busy += 1;
    if (served) this.served += 1;
    this.activity();
  }

  end(served = true): void {
    this.busy = Math.max(0, this.busy - 1);
    if (served) this.lastServed = this.now();
    this.activity();
  }

  /** Checks every `checkMs`; the timer never keeps the process alive. */
  start(checkMs = 500): this {
    if (this.firstMs <= 0 || !this.collect || this.timer) return this;
    this.timer = setInterval(() => this.check(), checkMs);
    this.timer.unref();
    return this;
  }

  /**
   * Empties the young generation now (a scavenge, a few ms): staging a version fills it with
   * its reads' results, and the first request on that version would otherwise pay to move them.
   */
  collectYoung(): void {
    if (this.firstMs > 0) this.collect?.({ type: 'minor' });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Collects when the process has been quiet long enough for the next collection of this spell. */
  check(): void {
    if (this.firstMs <= 0 || !this.collect || this.done >= this.spellLength || this.busy > 0) return;
    const now = this.now();
    if (this.done === 0) {
      if (now - this.lastActivity < this.firstMs) return;
      // Until a spell has run all its collections (start-up's: a request right after start-up, such as a client's
      // introspection, must not keep a 16 MiB young generation for 30 s), and in spells without requests (a staged version), firstMs is enough.
      if (this.settled && this.served > 0 && now - this.lastServed < this.afterRequestsMs) return;
    } else if (now - this.lastAt < SHRINK_AFTER_MS) return;
    if (this.done === 0) this.spellLength = 2;
    if (this.done === 0 && this.settled && this.heapUsed() - this.afterLast < MIN_GROWTH_BYTES) {
      this.done = this.spellLength;
      return;
    }
    this.lastAt = now;
    this.done += 1;
    this.collections += 1;
    this.served = 0;
    // The byte pool's kept page buffers (a few MiB) go with the garbage: the next page after a quiet spell makes its own.
    releaseKeptBytes();
    this.collect();
    this.afterLast = this.heapUsed();
    if (this.done === 2 && this.youngBytes() > SHRUNK_YOUNG_BYTES) this.spellLength = 3;
    if (this.done === this.spellLength) this.settled = true;
  }
}

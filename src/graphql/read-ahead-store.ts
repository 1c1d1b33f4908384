import { settleWithin } from '../settle-within';
import { OnceMarks } from './once-marks';
import type { PageHint } from './page-hints';

/**
 * The store behind the read-ahead (page-read-ahead.ts): pages read before
 * they are asked for, each taken once by the request that builds the very
 * same query, few and expiring; and, per walk, what this process served last.
 */
const MAX_ENTRIES = 4;
const TTL_MS = 10_000;

interface Entry {
  result: Promise<unknown>;
  expires: number;
}

/** Walks remembered for "the page after the one served last" (a key holds the page's bound values, consent exclusions included). */
const MAX_SCOPES = 16;
/** How long a page a request read itself keeps a hint for it from being read. */
const REQUESTED_MS = 1_000;

export class PageReadAhead {
  private readonly entries = new Map<string, Entry>();
  /** Reads under way whose page's key is known only once they finish (it starts after a row they read), by scope. */
  private readonly pending = new Map<string, Set<Promise<unknown>>>();
  private pendingCount = 0;
  /** By scope: the key of the page after the last page this process served there. */
  private readonly following = new Map<string, string>();
  /** Pages requests here read themselves (missed) lately: a hint for one that comes after is not read. */
  private readonly requested = new OnceMarks(MAX_SCOPES, () => this.now());
  /** Pages that would continue a page served by either worker: a request for one shows a walk. */
  private readonly walks = new OnceMarks(MAX_SCOPES, () => this.now());
  /**
   * Set in a cluster of two workers: the page after a page read here goes to
   * the other worker to read (the next request reaches it), not skipped-to here.
   */
  relay?: (hint: PageHint) => void;

  constructor(
    /** 2 when pages may alternate between two or more workers (the next page asked of this process is n + 2), else 1. */
    readonly pagesAhead: 1 | 2 = 2,
    private readonly maxEntries = MAX_ENTRIES,
    private readonly ttlMs = TTL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The read started for `key`, removed (one use); undefined when none is under way or it expired. */
  take<T>(key: string): Promise<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    return entry.expires > this.now() ? (entry.result as Promise<T>) : undefined;
  }

  /**
   * `take`, after the reads under way in `scope` whose page is not known yet
   * have finished (at most `waitMs`): the request for page n + 2 may come
   * before the read of it started after page n is done.
   */
  async takeAfterPending<T>(key: string, scope: string, waitMs: number): Promise<T | undefined> {
    const reads = this.pending.get(scope);
    if (!reads || reads.size === 0) return undefined;
    await settleWithin(Promise.allSettled([...reads]), waitMs);
    return this.take<T>(key);
  }

  /** The read for `key`, left in place (a page read ahead whose next page is hinted on); undefined when none or expired. */
  peek<T>(key: string): Promise<T> | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expires > this.now() ? (entry.result as Promise<T>) : undefined;
  }

  /**
   * Records that a request here reads the page of `key` itself (it missed).
   * Only for a moment (REQUESTED_MS): the hint for that page, if any, follows
   * at once, and the same page asked again later (another walk) is read ahead again.
   */
  markRequested(key: string): void {
    this.requested.mark(key, REQUESTED_MS);
  }

  /** Whether a request here read the page of `key` itself a moment ago (once: the mark goes). */
  wasRequested(key: string): boolean {
    return this.requested.take(key);
  }

  /** Notes that the page of `key` would continue a page just served (by this worker or the other). */
  expectNext(key: string): void {
    this.walks.mark(key, this.ttlMs);
  }

  /** Whether the page of `key` continues a page served lately (once: the note goes). */
  continuesWalk(key: string): boolean {
    return this.walks.take(key);
  }

  /** Whether a read for `key` is under way or done and not yet taken. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Starts `read` for `key` unless one is under way or the store is full (expired
   * entries dropped first); a failed read is dropped (the request reads again and reports).
   * Returns whether `read` was started.
   */
  start(key: string, read: () => Promise<unknown>): boolean {
    if (this.entries.has(key) || this.room() === 0) return false;
    const result = read();
    const entry: Entry = { result, expires: this.now() + this.ttlMs };
    this.entries.set(key, entry);
    result.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return true;
  }

  /**
   * Starts `read`, whose page's key is known only once it is done (it starts
   * after a row it reads): `read` returns that key and the page, then kept as
   * `start` keeps one. It holds a place in the store meanwhile, and requests
   * in `scope` that miss wait for it (takeAfterPending). Returns whether it started.
   */
  startPending(scope: string, read: () => Promise<{ key: string; page: unknown } | undefined>): boolean {
    if (this.room() === 0) return false;
    let reads = this.pending.get(scope);
    if (!reads) this.pending.set(scope, (reads = new Set()));
    this.pendingCount += 1;
    const expires = this.now() + this.ttlMs;
    const done: Promise<unknown> = read().then(
      (kept) => {
        this.settle(scope, reads, done);
        // Its place in the store is this read's own: no room check.
        if (kept && !this.entries.has(kept.key)) this.entries.set(kept.key, { result: Promise.resolve(kept.page), expires });
      },
      () => this.settle(scope, reads, done),
    );
    reads.add(done);
    return true;
  }

  private settle(scope: string, reads: Set<Promise<unknown>>, done: Promise<unknown>): void {
    this.pendingCount -= 1;
    reads.delete(done);
    if (reads.size === 0 && this.pending.get(scope) === reads) this.pending.delete(scope);
  }

  /**
   * Records that this process served the page of `key` in `scope`, whose next
   * page has `nextKey`; returns whether `key` was the page after the one it
   * served there before (a client reading every page from this process).
   */
  served(scope: string, key: string, nextKey: string): boolean {
    const consecutive = this.following.get(scope) === key;
    this.following.delete(scope);
    this.following.set(scope, nextKey);
    if (this.following.size > MAX_SCOPES) this.following.delete(this.following.keys().next().value as string);
    return consecutive;
  }

  /** Reads that may still start (expired entries dropped first; a pending read counts as one). */
  room(): number {
    for (const [k, e] of this.entries) if (e.expires <= this.now()) this.entries.delete(k);
    return Math.max(0, this.maxEntries - this.entries.size - this.pendingCount);
  }

  /** Results held or being read (a pending read counts as one). */
  get size(): number {
    return this.entries.size + this.pendingCount;
  }

  /** Resolves once every read started so far has ended (its page's text written, if any), kept or dropped. */
  async settled(): Promise<void> {
    const pending = [...this.pending.values()].flatMap((reads) => [...reads]);
    await Promise.allSettled([...[...this.entries.values()].map((e) => e.result), ...pending]);
  }

  /** Reads under way whose page is not known yet. */
  get pendingReads(): number {
    return this.pendingCount;
  }
}

const readAheads = new WeakMap<object, PageReadAhead>();

/** One read-ahead per Services instance (per server process); a single process reads the next page. */
export function readAheadOf(owner: { config: { workers: number } }): PageReadAhead {
  let readAhead = readAheads.get(owner);
  if (!readAhead) readAheads.set(owner, (readAhead = new PageReadAhead(owner.config.workers > 1 ? 2 : 1)));
  return readAhead;
}

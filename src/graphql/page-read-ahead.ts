import type { QueryOptions, SqlValue } from '../../etl/engine/engine';
import type { KeyValue } from './cursor';
import type { Node } from './datasets/dataset';
import { type BuiltQuery, pageQuery, type Scope } from './page-query';

/**
 * Read-ahead for bulk paging (a notebook pulling the training set): once a
 * large top-level page with a next page is read, the next two pages are read
 * in one query at once, so the engine reads them while this page is serialised
 * and the client parses it. Two, because consecutive requests reach alternate
 * cluster workers (a client on a new connection per request, as urllib does,
 * or on two alternating keep-alive sockets, as Node's fetch does): the worker
 * answering page n gets page n + 2 next (a single process reads one page ahead;
 * with more than two workers a worker's next page is further on, and missed).
 * A request takes a page only when it builds the very same query (SQL text
 * and bound values, consent exclusions and page bound included),
 * so a revocation, another version or other arguments simply miss; rows are
 * still checked against consent in JS when taken. Each entry is used once,
 * entries are few and expire: a client that stops costs one query. When the
 * store is full no read starts: many pages at once (benchmark 8's 20
 * concurrent pages) add at most MAX_ENTRIES results in memory, not one per page.
 */

/** Pages smaller than this are cheap enough to read on demand (and small-query load must not double). */
export const READ_AHEAD_MIN_ROWS = 1_000;
const MAX_ENTRIES = 4;
const TTL_MS = 10_000;

interface Entry {
  result: Promise<unknown>;
  expires: number;
  /** The key of the page read with this one just before it: a client past this page will not ask for that one. */
  before?: string;
}

export class PageReadAhead {
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** Pages read per read-ahead: 2 when pages may alternate between two or more workers, else 1. */
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
    if (entry.before !== undefined) this.entries.delete(entry.before);
    return entry.expires > this.now() ? (entry.result as Promise<T>) : undefined;
  }

  /** Whether a read for `key` is under way or done and not yet taken. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Starts `read` for `key` unless one is under way or the store is full (expired
   * entries dropped first); a failed read is dropped (the request reads again and reports).
   * `before`: the key of a page read together with this one, dropped when this one is taken.
   * Returns whether `read` was started.
   */
  start(key: string, read: () => Promise<unknown>, before?: string): boolean {
    if (this.entries.has(key) || this.room() === 0) return false;
    const result = read();
    const entry: Entry = { result, expires: this.now() + this.ttlMs, before };
    this.entries.set(key, entry);
    result.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return true;
  }

  /** Reads that may still start (expired entries dropped first). */
  room(): number {
    for (const [k, e] of this.entries) if (e.expires <= this.now()) this.entries.delete(k);
    return Math.max(0, this.maxEntries - this.entries.size);
  }

  get size(): number {
    return this.entries.size;
  }
}

const readAheads = new WeakMap<object, PageReadAhead>();

/** One read-ahead per Services instance (per server process); a single process reads one page ahead. */
export function readAheadOf(owner: { config: { workers: number } }): PageReadAhead {
  let readAhead = readAheads.get(owner);
  if (!readAhead) readAheads.set(owner, (readAhead = new PageReadAhead(owner.config.workers > 1 ? 2 : 1)));
  return readAhead;
}

export type PageReader<T> = (sql: string, params: SqlValue[], options: QueryOptions) => Promise<T>;

export interface PageFetch<N extends Node, T> {
  readAhead: PageReadAhead;
  scope: Scope<N>;
  query: BuiltQuery;
  /** Rows the page shows; the query asks for one more. */
  first: number;
  /** Distinguishes result shapes of the same query (rows, columns). */
  shape: string;
  read: PageReader<T>;
  rowCount: (result: T) => number;
  /** Rows start..end of a result (end past its length: to its end), as a new result. */
  slice: (result: T, start: number, end: number) => T;
  /** The result cut to its first `end` rows in place (no copy). */
  truncate: (result: T, end: number) => T;
  /** The keyset position of row `index` of a result. */
  keyAt: (result: T, index: number) => KeyValue[];
  timeoutMs: number;
  /** The timeout of the next page's query (the server's per-query limit: no request is waiting yet). */
  readAheadTimeoutMs: number;
}

const keyOf = (shape: string, q: BuiltQuery): string => `${shape}\u0000${q.sql}\u0000${JSON.stringify(q.params)}`;

/**
 * One top-level page: the result read ahead for this very query if there is
 * one, else the query now; then, for a large bounded page with a next page,
 * the next pages read (readNextPages).
 */
export async function fetchPage<N extends Node, T>(f: PageFetch<N, T>): Promise<T> {
  const ahead = f.readAhead.take<T>(keyOf(f.shape, f.query));
  let result: T;
  try {
    result = ahead ? await ahead : await f.read(f.query.sql, f.query.params, { timeoutMs: f.timeoutMs });
  } catch (error) {
    // A read-ahead that failed (a timeout while nobody waited) is read again, now, under this request's budget.
    if (!ahead) throw error;
    result = await f.read(f.query.sql, f.query.params, { timeoutMs: f.timeoutMs });
  }
  if (f.first >= READ_AHEAD_MIN_ROWS && f.scope.dataset.boundedPages && f.rowCount(result) > f.first) {
    readNextPages(f, f.keyAt(result, f.first - 1)).catch(() => undefined);
  }
  return result;
}

/**
 * Pages n + 1 and n + 2 after `after` (the last row of page n) in one query of
 * 2 × first + 1 rows, kept as the two results their own queries would give
 * (the same rows: one keyset order, the bound only loose). Nothing is read
 * when page n + 1 is already under way (read with page n).
 */
async function readNextPages<N extends Node, T>(f: PageFetch<N, T>, after: KeyValue[]): Promise<void> {
  const { first, shape, readAhead } = f;
  const next = await pageQuery(f.scope, after, first + 1);
  const nextKey = keyOf(shape, next);
  if (readAhead.has(nextKey)) return;
  // Two pages only with room for both: results in memory stay at most the store's size, in pages.
  if (readAhead.pagesAhead === 1 || readAhead.room() < 2) {
    readAhead.start(nextKey, () => f.read(next.sql, next.params, { timeoutMs: f.readAheadTimeoutMs }));
    return;
  }
  const both = await pageQuery(f.scope, after, 2 * first + 1);
  readAhead.start(nextKey, async () => {
    const rows = await f.read(both.sql, both.params, { timeoutMs: f.readAheadTimeoutMs });
    // Page n + 2's query starts after page n + 1's last row, known only now; it is kept before
    // page n + 1 is handed out, so the request for n + 1 finds n + 2 under way and reads nothing.
    if (f.rowCount(rows) > first) {
      await pageQuery(f.scope, f.keyAt(rows, first - 1), first + 1).then(
        (later) => readAhead.start(keyOf(shape, later), async () => f.slice(rows, first, 2 * first + 1), nextKey),
        () => undefined,
      );
    }
    // Page n + 2 is a copy by now: page n + 1 keeps the arrays read.
    return f.truncate(rows, first + 1);
  });
}

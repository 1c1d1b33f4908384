import type { QueryOptions, SqlValue } from '../../etl/engine/engine';
import type { KeyValue } from './cursor';
import type { Node } from './datasets/dataset';
import { type BuiltQuery, pageQuery, type Scope } from './page-query';

/**
 * Read-ahead for bulk paging (a notebook pulling the training set): once a
 * large top-level page with a next page is read, the query of that next page
 * starts at once, so the engine reads it while this page is serialised and the
 * client parses it. The next request takes it only when it builds the very same
 * query (SQL text and bound values, consent exclusions and page bound included),
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
}

export class PageReadAhead {
  private readonly entries = new Map<string, Entry>();

  constructor(
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
   * Starts `read` for `key` unless one is under way or the store is full (expired
   * entries dropped first); a failed read is dropped (the request reads again and reports).
   */
  start(key: string, read: () => Promise<unknown>): void {
    if (this.entries.has(key)) return;
    for (const [k, e] of this.entries) if (e.expires <= this.now()) this.entries.delete(k);
    if (this.entries.size >= this.maxEntries) return;
    const result = read();
    const entry = { result, expires: this.now() + this.ttlMs };
    this.entries.set(key, entry);
    result.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
  }

  get size(): number {
    return this.entries.size;
  }
}

const readAheads = new WeakMap<object, PageReadAhead>();

/** One read-ahead per Services instance (per server process). */
export function readAheadOf(owner: object): PageReadAhead {
  let readAhead = readAheads.get(owner);
  if (!readAhead) readAheads.set(owner, (readAhead = new PageReadAhead()));
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
 * the next page's query started.
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
    const after = f.keyAt(result, f.first - 1);
    void pageQuery(f.scope, after, f.first + 1).then(
      (next) => f.readAhead.start(keyOf(f.shape, next), () => f.read(next.sql, next.params, { timeoutMs: f.readAheadTimeoutMs })),
      () => undefined,
    );
  }
  return result;
}

import type { QueryOptions } from '../../etl/engine/engine';
import type { KeyValue } from './cursor';
import type { Node } from './datasets/dataset';
import { type BuiltQuery, pageQuery, type Scope } from './page-query';
import { keepFirstPage, keptFirstPage } from './kept-first-page';
import type { PageReadAhead } from './read-ahead-store';
import { stopIfGone } from './still-wanted';

export { PageReadAhead, readAheadOf } from './read-ahead-store';

/**
 * Read-ahead for bulk paging (a notebook pulling the training set): once a
 * large top-level page with a next page is read, the page this process will be
 * asked for next is read at once, so the engine reads it while this page is
 * serialised and the client parses it. Consecutive requests usually reach
 * alternate cluster workers (a client on a new connection per request, as
 * urllib does, or on two alternating keep-alive sockets, as Node's fetch
 * does): in a cluster of two, the worker answering page n hints page n + 1
 * to the other worker, which reads it (page-hints.ts); with more workers, it
 * reads page n + 2 alone, skipping page n + 1's rows in SQL (OFFSET). A
 * process asked for the page right after the one it served last (one
 * connection, or a single process) reads the next page instead. With one
 * process or two workers, nothing is read ahead until a walk shows: after a
 * page that continues no page served lately, only where the next one starts is
 * noted; but a first page of a set pulled whole (opensWalk) reads on at once.
 * A request takes a page only when it builds the very same query (SQL text
 * and bound values, consent exclusions and page bound included),
 * so a revocation, another version or other arguments simply miss; rows are
 * still checked against consent in JS when taken. Each entry is used once,
 * entries are few and expire: a client that stops costs a query or two. When the
 * store is full no read starts: many pages at once (benchmark 8's 20
 * concurrent pages) add at most MAX_ENTRIES results in memory, not one per page.
 */

/** Pages smaller than this are cheap enough to read on demand (and small-query load must not double). */
export const READ_AHEAD_MIN_ROWS = 1_000;

/** Reads a page's query (its SQL and bound values; a reader may use its other forms, e.g. inStoredOrder). */
export type PageReader<T> = (query: BuiltQuery, options: QueryOptions) => Promise<T>;

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
  /** The keyset position of row `index` of a result. */
  keyAt: (result: T, index: number) => KeyValue[];
  timeoutMs: number;
  /** Aborted once the request's client is gone: its own read is interrupted, and nothing is read ahead for it. */
  gone?: AbortSignal;
  /** The timeout of the next page's query (the server's per-query limit: no request is waiting yet). */
  readAheadTimeoutMs: number;
  /** A first page (no cursor) of a dataset pulled whole: its next page is read ahead without waiting for a walk to show. */
  opensWalk?: boolean;
  /** Answered as a connection's edges written from the columns (a hint says so: the next page's text is written ahead). */
  edges?: boolean;
  /**
   * Work done on a page read ahead here once it is read (its edges' text: prerendered-edges.ts): the read ends
   * after this page's answer is written, so on two cores the work runs while the client reads that answer.
   */
  prepare?: (result: T) => void;
}

/** The store's key of a page: its result shape, SQL text and bound values. */
export const pageKey = (shape: string, q: BuiltQuery): string => `${shape}\u0000${q.sql}\u0000${JSON.stringify(q.params)}`;

/** Pages of one walk share this (not the cursor, consent or bound: the key of each page still holds those). */
const scopeOf = <N extends Node>(shape: string, s: Scope<N>): string => `${shape}\u0000${s.dataset.kind}\u0000${s.version}\u0000${JSON.stringify(s.filter ?? null)}`;

/**
 * One top-level page: the result read ahead for this very query if there is
 * one (or about to be), else the query now; then, for a large bounded page
 * with a next page, the page this process will be asked for next (readAhead).
 */
export async function fetchPage<N extends Node, T>(f: PageFetch<N, T>): Promise<T> {
  const key = pageKey(f.shape, f.query);
  const scope = scopeOf(f.shape, f.scope);
  // The first page of a walk of edges, as read for an earlier walk of the same query (kept-first-page.ts).
  const keepsFirst = f.opensWalk === true && f.edges === true;
  const kept = keepsFirst ? keptFirstPage<T>(f.readAhead, key) : undefined;
  const ahead = kept ?? f.readAhead.take<T>(key) ?? (await f.readAhead.takeAfterPending<T>(key, scope, f.timeoutMs));
  if (!ahead) f.readAhead.markRequested(key);
  let result: T;
  try {
    if (ahead) result = await ahead;
    else {
      // A first page kept for later walks is read whoever asked: a client gone does not interrupt it.
      const reading = f.read(f.query, { timeoutMs: f.timeoutMs, signal: keepsFirst ? undefined : f.gone });
      if (keepsFirst) keepFirstPage(f.readAhead, key, reading);
      result = await reading;
    }
  } catch (error) {
    // Interrupted as its client went: said as such, never as an engine failure of ours.
    stopIfGone(f.gone);
    // A read-ahead that failed (a timeout while nobody waited) is read again, now, under this request's budget.
    if (!ahead) throw error;
    result = await f.read(f.query, { timeoutMs: f.timeoutMs });
  }
  if (f.first >= READ_AHEAD_MIN_ROWS && !f.gone?.aborted && f.scope.dataset.boundedPages && f.rowCount(result) > f.first) {
    // A kept first page opens a walk as one read now does (it was not taken from the read-ahead store).
    // Awaited up to where the next page's read starts or its hint leaves (the queries are built from what this page's
    // query loaded: no I/O): else the hint left after this page's answer was written, and the other worker began late.
    await readAhead(f, key, scope, f.keyAt(result, f.first - 1), ahead !== undefined && kept === undefined).catch(() => undefined);
  }
  return result;
}

/**
 * After page n (its last row `after`): page n + 1 when this process serves
 * consecutive pages; else, in a cluster of two workers, page n + 1 is hinted
 * to the other worker (page-hints.ts), which the next request reaches; else
 * page n + 2 alone. Page n + 2's query starts after
 * page n + 1's last row, so it is read as rows first - 1 .. 2 × first of the
 * rows after page n (OFFSET: page n + 1's other rows never reach JS) and kept
 * under its own query's key once that row is known: the same rows as its own
 * query (one keyset order, the bound only loose).
 */
async function readAhead<N extends Node, T>(f: PageFetch<N, T>, key: string, scope: string, after: KeyValue[], taken: boolean): Promise<void> {
  const { first, shape, readAhead: store } = f;
  const next = await pageQuery(f.scope, after, first + 1);
  const nextKey = pageKey(shape, next);
  const consecutive = store.served(scope, key, nextKey);
  // A page that continues no page served lately (a first page, a jump) reads nothing ahead: on two cores the
  // next pages' reads would run during its own answer, and a client asking for one page never takes them.
  // But the first page of a set pulled whole (the training set: a notebook asks for the next page) does.
  const opens = f.opensWalk === true && !taken && !consecutive;
  const walking = taken || consecutive || opens || store.continuesWalk(key);
  if (store.pagesAhead === 1 || consecutive) {
    // A single process records the page that follows (served above): asked for it next, it reads on from there.
    const prepare = f.prepare;
    const read = (): Promise<T> => f.read(next, { timeoutMs: f.readAheadTimeoutMs });
    if (walking) store.start(nextKey, prepare ? () => read().then((result) => (prepare(result), result)) : read);
    return;
  }
  // Hints are for bulk pages (columns) of bounded datasets: page-hints.ts reads those only.
  if (store.relay && shape === 'columns') {
    // Not walking: the other worker only notes where the next page starts, so a request for it shows a walk.
    const hint = { kind: f.scope.dataset.kind, version: f.scope.version, filter: f.scope.filter, after, first, shape, ahead: walking ? 1 : 0 };
    store.relay(f.edges ? { ...hint, edges: true } : hint);
    return;
  }
  const skipping = await pageQuery(f.scope, after, first + 2, first - 1);
  store.startPending(scope, async () => {
    const rows = await f.read(skipping, { timeoutMs: f.readAheadTimeoutMs });
    if (f.rowCount(rows) < 2) return undefined;
    const later = await pageQuery(f.scope, f.keyAt(rows, 0), first + 1);
    return { key: pageKey(shape, later), page: f.slice(rows, 1, first + 2) };
  });
}

import type { Engine, QueryOptions, Row, SqlValue } from '../../etl/engine/engine';
import { ByteBoundedLru } from '../byte-bounded-lru';

/** A read the cache keeps: its SQL text and bound values. */
export interface CachedRead {
  sql: string;
  params: SqlValue[];
}

/**
 * Results of queries over one lake version's tables, which never change once
 * built, keyed by SQL text and bound values. Consent exclusions are bound
 * values, so a revocation changes the key; rows are still re-checked in JS.
 * Small results only (a customer, a nested page): bulk pages stream through.
 * Bounded by rows and by estimated bytes (keys included: a client sending a
 * new split seed each time makes many one-row entries with long keys).
 * Never use it for landing reads, which change under the same text.
 */
export class VersionReadCache {
  private readonly entries: ByteBoundedLru<Row[]>;
  private readonly inFlight = new Map<string, Promise<Row[]>>();
  private cachedRows = 0;

  constructor(
    private readonly engine: Engine,
    /** Rows held across all entries; 0 turns the cache off. */
    private readonly maxRows: number,
    /** Results larger than this are not kept; a nested page of 100 customers x (10 + 1) readings fits. */
    readonly maxRowsPerEntry = 2_000,
    /** Estimated heap bytes held across all entries (see entryBytes). */
    maxBytes = Number.POSITIVE_INFINITY,
  ) {
    this.entries = new ByteBoundedLru(maxBytes, (rows) => void (this.cachedRows -= rowsOf(rows)));
  }

  async query(sql: string, params: SqlValue[], options: QueryOptions = {}): Promise<Row[]> {
    if (this.maxRows === 0) return this.engine.query(sql, params, options);
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    const hit = this.entries.get(key);
    if (hit) return hit;
    // Concurrent identical reads share one engine query.
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.engine.query(sql, params, options).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
      void pending.then((rows) => this.keep(key, rows), () => undefined);
    }
    return pending;
  }

  /** The `max` most recently used reads whose SQL names version `from`, newest first. */
  recentReads(from: string, max: number): CachedRead[] {
    const reads: CachedRead[] = [];
    for (const key of this.entries.newestKeys()) {
      if (reads.length >= max) break;
      const cut = key.indexOf('\u0000');
      const sql = key.slice(0, cut);
      if (sql.includes(from)) reads.push({ sql, params: JSON.parse(key.slice(cut + 1)) as SqlValue[] });
    }
    return reads;
  }

  /**
   * Runs `reads` of version `from` again on version `to` (the same SQL naming `to`, the same
   * bound values) and keeps their results: a version about to be published then answers what
   * readers asked last without a query. Each kept result is what its exact text and values
   * read from `to`, as any entry; the caller makes sure `to`'s consent exclusions are `from`'s,
   * or the warmed keys would never be asked for. Returns how many were read (or already kept).
   */
  async warm(from: string, to: string, reads: readonly CachedRead[]): Promise<number> {
    if (this.maxRows === 0 || from === to) return 0;
    let warmed = 0;
    // One at a time: readers of the live version keep the other connections.
    for (const { sql, params } of reads) {
      if (!sql.includes(from)) continue;
      await this.query(sql.split(from).join(to), params).then(() => (warmed += 1), () => undefined);
    }
    return warmed;
  }

  get size(): { entries: number; rows: number; bytes: number } {
    return { entries: this.entries.size, rows: this.cachedRows, bytes: this.entries.bytes };
  }

  private keep(key: string, rows: Row[]): void {
    if (rows.length > this.maxRowsPerEntry || rows.length > this.maxRows || this.entries.has(key)) return;
    // Counted before set(): evicting the oldest entries to make room is what brings the rows back under maxRows.
    this.cachedRows += rowsOf(rows);
    if (!this.entries.set(key, rows, entryBytes(key, rows), () => this.cachedRows > this.maxRows)) this.cachedRows -= rowsOf(rows);
  }
}

/** Rows an entry counts for: an empty result still holds its key. */
const rowsOf = (rows: Row[]): number => Math.max(rows.length, 1);

/**
 * Estimated heap bytes of an entry: its key (two bytes a character at worst)
 * plus its rows, each sized like the first (rows of one query share a shape):
 * an object header, and per column a slot plus its value (strings at two
 * bytes a character). An estimate, not a measure.
 */
export function entryBytes(key: string, rows: Row[]): number {
  const first = rows[0];
  let rowBytes = 32;
  if (first) for (const value of Object.values(first)) rowBytes += 16 + (typeof value === 'string' ? 16 + 2 * value.length : 16);
  return 64 + 2 * key.length + rows.length * rowBytes;
}

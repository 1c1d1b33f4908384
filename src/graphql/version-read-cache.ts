import type { Engine, QueryOptions, Row, SqlValue } from '../../etl/engine/engine';

/**
 * Results of queries over one lake version's tables, which never change once
 * built, keyed by SQL text and bound values. Consent exclusions are bound
 * values, so a revocation changes the key; rows are still re-checked in JS.
 * Small results only (a customer, a nested page): bulk pages stream through.
 * Never use it for landing reads, which change under the same text.
 */
export class VersionReadCache {
  // Private: insertion order is recency order (an entry is re-inserted on every hit).
  private readonly entries = new Map<string, Row[]>();
  private readonly inFlight = new Map<string, Promise<Row[]>>();
  private cachedRows = 0;

  constructor(
    private readonly engine: Engine,
    /** Rows held across all entries; 0 turns the cache off. */
    private readonly maxRows: number,
    /** Results larger than this are not kept; a nested page of 100 customers x (10 + 1) readings fits. */
    private readonly maxRowsPerEntry = 2_000,
  ) {}

  async query(sql: string, params: SqlValue[], options: QueryOptions = {}): Promise<Row[]> {
    if (this.maxRows === 0) return this.engine.query(sql, params, options);
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    // Concurrent identical reads share one engine query.
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.engine.query(sql, params, options).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
      void pending.then((rows) => this.keep(key, rows), () => undefined);
    }
    return pending;
  }

  get size(): { entries: number; rows: number } {
    return { entries: this.entries.size, rows: this.cachedRows };
  }

  private keep(key: string, rows: Row[]): void {
    if (rows.length > this.maxRowsPerEntry || rows.length > this.maxRows || this.entries.has(key)) return;
    this.entries.set(key, rows);
    this.cachedRows += Math.max(rows.length, 1);
    for (const [oldest, old] of this.entries) {
      if (this.cachedRows <= this.maxRows) break;
      this.entries.delete(oldest);
      this.cachedRows -= Math.max(old.length, 1);
    }
  }
}

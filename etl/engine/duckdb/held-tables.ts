import type { ColumnarResult, HeldPageRequest, QueryOptions, Row } from '../engine';
import { type BuiltTable, TABLES } from '../../tables';

/**
 * Small tables of a version held in JS memory, sorted in the API's key order
 * and grouped by serialNumber, so the page of one device (a customer's step
 * trainer readings, the customer itself) is answered without a DuckDB query:
 * a statement costs ~0.5–1 ms of DuckDB's threads and a trip through the
 * pool; a slice of a held group costs microseconds. Bounded by rows: a
 * larger table is read with SQL as before.
 */

/** Tables the engine may hold, and the most rows it holds of one (1x: 14,460 readings and 482 customers; 10x readings stay in SQL). */
export const HELD_TABLES: ReadonlySet<BuiltTable> = new Set(['step_trainer_trusted', 'customer_curated']);
export const MAX_HELD_ROWS = 50_000;

export const mayHold = (table: BuiltTable, rows: number): boolean => HELD_TABLES.has(table) && rows <= MAX_HELD_ROWS;

/** The order rows are held in: the table's API order (its keyset), serialNumber first. */
export const heldOrder = (table: BuiltTable): readonly string[] => TABLES[table].order ?? TABLES[table].key;

type Value = string | number | null;

export class HeldTable {
  /** Each serial's [first row, end) in the columns. */
  private readonly groups = new Map<string, [number, number]>();
  private readonly names: string[];
  private readonly exclusionSets = new WeakMap<readonly string[], ReadonlySet<string>>();

  /** `rows`: every row of the table, sorted by heldOrder(table) (by DuckDB: its string order is the one cursors follow). */
  constructor(
    readonly table: BuiltTable,
    private readonly rows: ColumnarResult,
  ) {
    this.names = Object.keys(rows.columns);
    const serials = rows.columns.serialNumber as Value[] | undefined;
    if (!serials) throw new Error(`${table} has no serialNumber column to hold it by`);
    for (let i = 0; i < rows.rowCount; ) {
      const serial = serials[i];
      let end = i + 1;
      while (end < rows.rowCount && serials[end] === serial) end += 1;
      if (typeof serial === 'string') this.groups.set(serial, [i, end]);
      i = end;
    }
  }

  get rowCount(): number {
    return this.rows.rowCount;
  }

  /** The rows SQL would answer: the serial's rows in key order, none when consent hides it, within the range, after the position, at most `limit`. */
  page(request: HeldPageRequest): Row[] | undefined {
    const order = heldOrder(this.table);
    const after = request.after;
    // A position of another serial, or not of this table's order: SQL answers it.
    if (after && (after.length !== order.length || after[0] !== request.serial)) return undefined;
    if (this.excluded(request.exclusions).has(request.serial)) return [];
    const group = this.groups.get(request.serial);
    if (!group) return [];
    const range = request.range;
    const times = range ? (this.rows.columns[range.column] as Value[] | undefined) : undefined;
    if (range && !times) return undefined;
    const afterColumns = after ? order.slice(1).map((name) => this.rows.columns[name] as Value[]) : [];
    const out: Row[] = [];
    for (let i = group[0]; i < group[1] && out.length < request.limit; i += 1) {
      if (times) {
        const t = times[i] as number | null;
        if (t === null || (range!.from != null && t < range!.from) || (range!.to != null && t > range!.to)) continue;
      }
      if (after && !isAfter(afterColumns, i, after)) continue;
      out.push(this.rowAt(i));
    }
    return out;
  }

  private rowAt(i: number): Row {
    const row: Row = {};
    for (const name of this.names) row[name] = this.rows.columns[name][i];
    return row;
  }

  private excluded(exclusions: readonly string[]): ReadonlySet<string> {
    let set = this.exclusionSets.get(exclusions);
    if (!set) this.exclusionSets.set(exclusions, (set = new Set(exclusions)));
    return set;
  }
}

/** Row i's key after the serial is greater than the position's (a row tuple compare, as SQL's keyset condition; a null never is). */
function isAfter(columns: Value[][], i: number, after: readonly (string | number)[]): boolean {
  for (let c = 0; c < columns.length; c += 1) {
    const value = columns[c][i];
    const bound = after[c + 1];
    if (value === null || value === undefined) return false;
    if (value > bound) return true;
    if (value < bound) return false;
  }
  return false;
}

/**
 * The held tables of kept versions, by `${version}|${table}`, each read once
 * by `read` (null: too large to hold). A failed read (a damaged file, a
 * timeout) is not remembered: the next request tries SQL's way and reports it.
 */
export class HeldTables {
  private readonly held = new Map<string, Promise<HeldTable | null>>();

  constructor(private readonly read: (table: HeldPageRequest['table'], version: string, options: QueryOptions) => Promise<HeldTable | null>) {}

  get(table: HeldPageRequest['table'], version: string, options: QueryOptions): Promise<HeldTable | null> {
    const key = `${version}|${table}`;
    let holding = this.held.get(key);
    if (!holding) {
      holding = this.read(table, version, options);
      holding.catch(() => this.held.delete(key));
      this.held.set(key, holding);
    }
    return holding;
  }

  /** Lets go of the tables of versions no longer kept. */
  retain(kept: ReadonlySet<string>): void {
    for (const key of this.held.keys()) if (!kept.has(key.slice(0, key.indexOf('|')))) this.held.delete(key);
  }
}

import type { ColumnarResult, QueryOptions, SqlValue } from '../../etl/engine/engine';
import type { Dataset, Node } from './datasets/dataset';
import { sliceColumns } from './engine-columns';
import type { BuiltQuery } from './page-query';

/**
 * A bounded bulk page of a table stored in key order, read without ORDER BY:
 * DuckDB's sort of a page (5 keys, the serial a 36-character string) was
 * about 3 of the 8–9 ms of DuckDB CPU a 10,000-row training page costs, and
 * the check here under 1 ms. The read takes every row of the page's
 * range (the serial bound keeps it near the page's size) and is kept only if
 * JS finds those rows in strictly increasing key order, in DuckDB's order, with
 * none left out (fewer than the cap): then they are exactly the rows the sorted
 * query would give, in its order. Anything else (more rows, a doubtful
 * value, rows out of order) reads the sorted query instead: slower, never different.
 * Where the engine has a text key (SqlDialect.textKey), the read takes each
 * serial as its key and puts the serial back from the version's serial index.
 */

type ColumnReader = (sql: string, params: SqlValue[], options: QueryOptions) => Promise<ColumnarResult>;

export async function readPageColumns<N extends Node>(ds: Dataset<N>, query: BuiltQuery, options: QueryOptions, read: ColumnReader): Promise<ColumnarResult> {
  const stored = query.inStoredOrder;
  if (stored) {
    const raw = await read(stored.sql, query.params, options);
    const all = stored.serials ? withSerials(raw, stored.serials) : raw;
    if (all && all.rowCount < stored.cap && inKeyOrder(ds, all)) return rowsOf(all, stored.offset, stored.offset + stored.limit);
  }
  return read(query.sql, query.params, options);
}

/**
 * A read whose serials came as their text keys (column `serialKey`) with each key's serial in `serialNumber`;
 * undefined (read the sorted query instead) if any key is not one of `serials`, or is null. A run of one key is
 * looked up once.
 */
export function withSerials(result: ColumnarResult, serials: ReadonlyMap<number, string>): ColumnarResult | undefined {
  const keys = result.columns.serialKey;
  if (!keys) return undefined;
  const out = new Array<string>(result.rowCount);
  // A number, not unknown: the comparison then reads the key unboxed (no heap number per row).
  let before = Number.NaN;
  let serial: string | undefined;
  for (let r = 0; r < result.rowCount; r += 1) {
    const key = keys[r];
    if (typeof key !== 'number') return undefined;
    if (key !== before) {
      serial = serials.get(key);
      if (serial === undefined) return undefined;
      before = key;
    }
    out[r] = serial!;
  }
  const columns: Record<string, unknown[]> = { serialNumber: out };
  for (const [name, values] of Object.entries(result.columns)) if (name !== 'serialKey') columns[name] = values;
  return { rowCount: result.rowCount, columns };
}

/**
 * Whether every row's key is strictly greater than the row's before, as DuckDB orders them; false when in doubt.
 * Column by column, one loop per column over values of one type: `order[r]` is 0 while rows r - 1 and r are
 * equal so far, 1 once r is after, -1 once it is not.
 */
export function inKeyOrder<N extends Node>(ds: Dataset<N>, result: ColumnarResult): boolean {
  const n = result.rowCount;
  const order = new Int8Array(n);
  for (const k of ds.key) {
    const values = result.columns[k.name];
    if (values === undefined) return false;
    const plain = typeof values[0] === 'number' ? orderNumbers(values, n, order) : orderStrings(values, n, order);
    if (!plain) return false;
  }
  for (let r = 1; r < n; r += 1) if (order[r] !== 1) return false;
  return true;
}

/**
 * A key column JS compares as DuckDB does: all numbers without NaN or -0
 * (DuckDB's sort gives -0 back as 0, so a lake's sorted files hold none), or
 * all ASCII strings (DuckDB compares text by its UTF-8 bytes, JS by UTF-16
 * units: the same for ASCII only; each run of equal strings is tested once).
 * Each notes in `order` the rows its column decides; false when the column is not plain.
 */
function orderNumbers(values: unknown[], n: number, order: Int8Array): boolean {
  let before = 0;
  for (let r = 0; r < n; r += 1) {
    const v = values[r];
    if (typeof v !== 'number' || v !== v || (v === 0 && 1 / v < 0)) return false;
    if (r > 0 && order[r] === 0 && v !== before) order[r] = v > before ? 1 : -1;
    before = v;
  }
  return true;
}

function orderStrings(values: unknown[], n: number, order: Int8Array): boolean {
  let before = '';
  for (let r = 0; r < n; r += 1) {
    const v = values[r];
    if (r > 0 && v === before) continue;
    if (typeof v !== 'string' || !ASCII.test(v)) return false;
    if (r > 0 && order[r] === 0) order[r] = v > before ? 1 : -1;
    before = v;
  }
  return true;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Rows start..end of a result: its own arrays cut when it starts at row 0 (no copy), else copied. */
function rowsOf(result: ColumnarResult, start: number, end: number): ColumnarResult {
  if (start > 0) return sliceColumns(result, start, end);
  const rowCount = Math.min(end, result.rowCount);
  for (const values of Object.values(result.columns)) if (values.length > rowCount) values.length = rowCount;
  return { rowCount, columns: result.columns };
}

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
  let before: unknown;
  let serial: string | undefined;
  for (let r = 0; r < result.rowCount; r += 1) {
    const key = keys[r];
    if (key !== before || serial === undefined) {
      serial = typeof key === 'number' ? serials.get(key) : undefined;
      if (serial === undefined) return undefined;
      before = key;
    }
    out[r] = serial;
  }
  const columns: Record<string, unknown[]> = { serialNumber: out };
  for (const [name, values] of Object.entries(result.columns)) if (name !== 'serialKey') columns[name] = values;
  return { rowCount: result.rowCount, columns };
}

/** Whether every row's key is strictly greater than the row's before, as DuckDB orders them; false when in doubt. */
export function inKeyOrder<N extends Node>(ds: Dataset<N>, result: ColumnarResult): boolean {
  const keys = ds.key.map((k) => result.columns[k.name]);
  if (keys.some((values) => values === undefined || !plain(values, result.rowCount))) return false;
  for (let r = 1; r < result.rowCount; r += 1) if (!isAfter(keys, r)) return false;
  return true;
}

/**
 * A key column JS compares as DuckDB does: all numbers without NaN or -0
 * (DuckDB's sort gives -0 back as 0, so a lake's sorted files hold none), or
 * all ASCII strings (DuckDB compares text by its UTF-8 bytes, JS by UTF-16
 * units: the same for ASCII only; each run of equal strings is tested once).
 */
function plain(values: unknown[], rowCount: number): boolean {
  if (typeof values[0] === 'number') {
    for (let r = 0; r < rowCount; r += 1) {
      const v = values[r];
      if (typeof v !== 'number' || v !== v || (v === 0 && 1 / v < 0)) return false;
    }
    return true;
  }
  let before: unknown = NONE;
  for (let r = 0; r < rowCount; r += 1) {
    const v = values[r];
    if (v === before) continue;
    if (typeof v !== 'string' || !ASCII.test(v)) return false;
    before = v;
  }
  return true;
}

const ASCII = /^[\x00-\x7f]*$/;
const NONE = Symbol('none');

/** Row r's key against row r - 1's (plain columns of one type each): the first differing column decides; equal keys are doubt. */
function isAfter(keys: unknown[][], r: number): boolean {
  for (let c = 0; c < keys.length; c += 1) {
    const before = keys[c][r - 1] as number | string;
    const value = keys[c][r] as number | string;
    if (value !== before) return value > before;
  }
  return false;
}

/** Rows start..end of a result: its own arrays cut when it starts at row 0 (no copy), else copied. */
function rowsOf(result: ColumnarResult, start: number, end: number): ColumnarResult {
  if (start > 0) return sliceColumns(result, start, end);
  const rowCount = Math.min(end, result.rowCount);
  for (const values of Object.values(result.columns)) if (values.length > rowCount) values.length = rowCount;
  return { rowCount, columns: result.columns };
}

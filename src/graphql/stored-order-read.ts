import type { ColumnarResult, QueryOptions, SqlValue } from '../../etl/engine/engine';
import type { Dataset, Node } from './datasets/dataset';
import { sliceColumns } from './engine-columns';
import type { BuiltQuery } from './page-query';

/**
 * A bounded bulk page of a table stored in key order, read without ORDER BY:
 * DuckDB's sort of a page (5 keys, the serial a 36-character string) was
 * about a third of the page query's CPU, twice that for a read-ahead page
 * (it sorts the page it skips too). The read takes every row of the page's
 * range (the serial bound keeps it near the page's size) and is kept only if
 * JS finds those rows in strictly increasing key order, in DuckDB's order, with
 * none left out (fewer than the cap): then they are exactly the rows the sorted
 * query would give, in its order. Anything else (more rows, a doubtful
 * value, rows out of order) reads the sorted query instead: slower, never different.
 */

type ColumnReader = (sql: string, params: SqlValue[], options: QueryOptions) => Promise<ColumnarResult>;

export async function readPageColumns<N extends Node>(ds: Dataset<N>, query: BuiltQuery, options: QueryOptions, read: ColumnReader): Promise<ColumnarResult> {
  const stored = query.inStoredOrder;
  if (stored) {
    const all = await read(stored.sql, query.params, options);
    if (all.rowCount < stored.cap && inKeyOrder(ds, all)) return rowsOf(all, stored.offset, stored.offset + stored.limit);
  }
  return read(query.sql, query.params, options);
}

/** Whether every row's key is strictly greater than the row's before, as DuckDB orders them; false when in doubt. */
export function inKeyOrder<N extends Node>(ds: Dataset<N>, result: ColumnarResult): boolean {
  const keys = ds.key.map((k) => result.columns[k.name]);
  // DuckDB's sort gives a key's -0 back as 0 (a lake's sorted files hold none): a -0 read is doubt.
  if (keys.some((values) => values === undefined || values.some((v) => v === 0 && Object.is(v, -0)))) return false;
  for (let r = 1; r < result.rowCount; r += 1) if (!isAfter(keys, r)) return false;
  return true;
}

/** Row r's key against row r - 1's: the first differing column decides. */
function isAfter(keys: unknown[][], r: number): boolean {
  for (const values of keys) {
    const before = values[r - 1];
    const value = values[r];
    if (typeof value === 'number' && typeof before === 'number') {
      if (value > before) return true;
      // Smaller, or NaN (false both ways): out of order or in doubt.
      if (value !== before) return false;
    } else if (typeof value === 'string' && typeof before === 'string') {
      if (value === before) continue;
      // DuckDB compares text by its UTF-8 bytes; JS by UTF-16 units: the same for ASCII only.
      return asciiOnly(value) && asciiOnly(before) && value > before;
    } else {
      return false;
    }
  }
  // Equal keys: the sorted query's order between them is its own.
  return false;
}

const asciiOnly = (text: string): boolean => !/[^\x00-\x7f]/.test(text);

/** Rows start..end of a result: its own arrays cut when it starts at row 0 (no copy), else copied. */
function rowsOf(result: ColumnarResult, start: number, end: number): ColumnarResult {
  if (start > 0) return sliceColumns(result, start, end);
  const rowCount = Math.min(end, result.rowCount);
  for (const values of Object.values(result.columns)) if (values.length > rowCount) values.length = rowCount;
  return { rowCount, columns: result.columns };
}

import type { DuckDBResultReader } from '@duckdb/node-api';
import type { Row } from '../engine';

/**
 * DuckDB hands BIGINTs back as JS bigints; the lake's are epoch milliseconds
 * and counts, well inside Number's exact range, so they become numbers.
 */
export function toJsRows(reader: DuckDBResultReader): Row[] {
  const names = reader.columnNames();
  const columns = reader.getColumnsJS();
  const count = reader.currentRowCount;
  const rows: Row[] = new Array(count);
  for (let r = 0; r < count; r += 1) {
    const row: Row = {};
    for (let c = 0; c < names.length; c += 1) {
      const value = columns[c][r];
      row[names[c]] = typeof value === 'bigint' ? Number(value) : value;
    }
    rows[r] = row;
  }
  return rows;
}

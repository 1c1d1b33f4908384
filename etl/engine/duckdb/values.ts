import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import type { ColumnarResult, Row } from '../engine';
import { readColumns } from './column-reader';

/**
 * DuckDB hands BIGINTs back as JS bigints; the lake's are epoch milliseconds
 * and counts, well inside Number's exact range, so they become numbers.
 */
export function toJsRows(result: DuckDBMaterializedResult): Row[] {
  const { names, rowCount, columns } = readColumns(result);
  const rows: Row[] = new Array(rowCount);
  for (let r = 0; r < rowCount; r += 1) {
    const row: Row = {};
    for (let c = 0; c < names.length; c += 1) row[names[c]] = columns[c][r];
    rows[r] = row;
  }
  return rows;
}

/** The same values column by column, with no object per row. */
export function toJsColumns(result: DuckDBMaterializedResult): ColumnarResult {
  const { names, rowCount, columns } = readColumns(result);
  const byName: Record<string, unknown[]> = {};
  for (let c = 0; c < names.length; c += 1) byName[names[c]] = columns[c];
  return { rowCount, columns: byName };
}

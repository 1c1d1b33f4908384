import type { ColumnarResult, Row } from '../engine';

/** What is read of a result: DuckDBResultReader has it, and so has a prepared statement's result (prepared-statements.ts). */
export interface ResultColumns {
  readonly currentRowCount: number;
  columnNames(): string[];
  getColumnsJS(): unknown[][];
}

/**
 * DuckDB hands BIGINTs back as JS bigints; the lake's are epoch milliseconds
 * and counts, well inside Number's exact range, so they become numbers.
 */
export function toJsRows(reader: ResultColumns): Row[] {
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

/** The same values column by column: DuckDB's column arrays as they come, BIGINT columns made numbers in place. */
export function toJsColumns(reader: ResultColumns): ColumnarResult {
  const names = reader.columnNames();
  const arrays = reader.getColumnsJS();
  const columns: Record<string, unknown[]> = {};
  for (let c = 0; c < names.length; c += 1) {
    // An empty result has no chunks, hence no column arrays.
    const values = arrays[c] ?? [];
    for (let r = 0; r < values.length; r += 1) if (typeof values[r] === 'bigint') values[r] = Number(values[r]);
    columns[names[c]] = values;
  }
  return { rowCount: reader.currentRowCount, columns };
}

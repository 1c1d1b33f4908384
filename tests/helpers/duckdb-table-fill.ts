import type { DuckDBConnection } from '@duckdb/node-api';

/** A generated value as a SQL literal (test data: numbers, null, and text with its quotes doubled). */
const literal = (v: string | number | null): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);

/** Replaces `table` with a table of `columns` (a column list in SQL) holding `rows`: a zone's input, made by a test. */
export async function fillTable(connection: DuckDBConnection, table: string, columns: string, rows: ReadonlyArray<ReadonlyArray<string | number | null>>): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE ${table} (${columns})`);
  if (rows.length > 0) await connection.run(`INSERT INTO ${table} VALUES ${rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ')}`);
}

import type { DuckDBConnection } from '@duckdb/node-api';
import type { ExportFormat, SqlValue } from '../engine';
import { sqlStringLiteral } from './landing-sql';

/** Writes the rows of `sql` to `path` in `format` by DuckDB's COPY (streamed, never held); resolves with how many it wrote. */
export async function copyToFile(connection: DuckDBConnection, sql: string, params: SqlValue[], format: ExportFormat, path: string): Promise<number> {
  const how = { parquet: 'FORMAT parquet, COMPRESSION zstd', csv: 'FORMAT csv, HEADER true', ndjson: 'FORMAT json' }[format];
  const result = await connection.runAndReadAll(`COPY (${sql}) TO ${sqlStringLiteral(path)} (${how})`, params);
  return Number(result.getRows()[0]?.[0] ?? 0);
}

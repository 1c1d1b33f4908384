import type { DuckDBConnection } from '@duckdb/node-api';
import type { VersionManifest } from '../../manifest';
import { type BuiltTable, servedColumns } from '../../tables';
import { sqlStringLiteral } from './landing-sql';

/** How a loaded version's files appear to queries: schema `v_<version>`, a view (or a small table in memory) per file. */

/** The in-memory schema holding a loaded version's tables. */
export const schemaOf = (version: string): string => `"v_${version}"`;

/**
 * Customers are read once per request (the customer itself, or a page of
 * them); a scan of a Parquet file costs about 0.7 ms more than one of a table
 * in memory, whatever its size. A version's customers are copied into memory
 * while they are few (2.8 MiB in DuckDB for the 9,560 of the 10x lake,
 * +4 MiB RSS per server process);
 * above this many rows they are read from the file like the other tables.
 */
export const MAX_IN_MEMORY_CUSTOMERS = 20_000;

export const heldInMemory = (table: BuiltTable, rows: number): boolean => table === 'customer_curated' && rows <= MAX_IN_MEMORY_CUSTOMERS;

/**
 * Attaches `table`'s file of `version` to the version's schema (made already): a view over the file, or a copy in
 * memory when heldInMemory. Returns the columns it serves.
 */
export async function attachTable(connection: DuckDBConnection, version: VersionManifest, table: BuiltTable, path: string): Promise<readonly string[]> {
  const schema = schemaOf(version.version);
  const file = sqlStringLiteral(path);
  // The file's own columns decide what is served: a version built by an older release may lack one of today's.
  // (Its rows may not be in today's keyset order either: pages then read more row groups, with the same answers.)
  const stored = (await connection.runAndReadAll(`SELECT name FROM parquet_schema(${file})`)).getRows().map((r) => String(r[0]));
  const served = servedColumns(table, stored);
  const columns = served.map((c) => `"${c}"`).join(', ');
  if (heldInMemory(table, version.tables[table].rows)) {
    await connection.run(`CREATE OR REPLACE TABLE ${schema}."${table}" AS SELECT ${columns} FROM read_parquet(${file}, hive_partitioning = false)`);
    return served;
  }
  await connection.run(`CREATE OR REPLACE VIEW ${schema}."${table}" AS SELECT ${columns} FROM read_parquet(${file}, hive_partitioning = false)`);
  // Reads the footer and every row group's metadata now, so a file DuckDB cannot read is found here, not by a reader.
  await connection.run(`SELECT count(*) FROM ${schema}."${table}"`);
  return served;
}

import type { DuckDBConnection } from '@duckdb/node-api';
import { type BuiltTable, TABLES, storageOrder } from '../../tables';
import type { SqlValue } from '../engine';
import { duplicateScreen } from './build-settings';
import type { CheckScreens } from './check-screens';
import { sqlStringLiteral } from './landing-sql';

/**
 * Rows per Parquet row group of a built table (DuckDB's default is 122,880). A filtered scan pays
 * ~20 µs per row group of the file even when its statistics skip it: at 16,384 rows a page of the
 * 100× readings spent more on the 247 groups it skipped than on the one it read. 65,536 was the
 * quickest for every served query shape measured (keyset pages of 1,000 to 10,000, one customer).
 */
export const ROW_GROUP_ROWS = 65_536;

/**
 * The statement writing the rows of `zone` (a SELECT) to `file` as Parquet, sorted in `table`'s
 * storage order, the API's keyset order: a keyset page then reads the one or two row groups holding its rows.
 */
export function sortedCopy(table: BuiltTable, zone: string, file: string): string {
  const order = storageOrder(table).map((c) => `"${c}"`).join(', ');
  return `COPY (SELECT * FROM (${zone}) AS zone ORDER BY ${order}) TO ${sqlStringLiteral(file)} (FORMAT parquet, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`;
}

/**
 * Writes the zone `select` to `file` (sortedCopy) and points the build's view `table` at that file, so
 * later zones read it back from there and no zone is held in memory. With `deferred` (the SELECT without
 * its DISTINCT, deferred-distinct.ts) that is written first, and `select` again only when the file's key
 * repeats; a clean screen is handed to `checks`, which would run the very same one. Returns the rows written.
 */
export async function writeSortedZone(
  connection: DuckDBConnection,
  zone: { table: BuiltTable; select: string; params: SqlValue[]; deferred?: string },
  file: string,
  checks: CheckScreens,
): Promise<number> {
  const { table, select, params, deferred } = zone;
  const write = async (sql: string): Promise<number> => Number((await connection.runAndReadAll(sortedCopy(table, sql, file), params as never)).getRows()[0][0]);
  let rows = await write(deferred ?? select);
  await connection.run(`CREATE OR REPLACE VIEW ${table} AS SELECT * FROM read_parquet(${sqlStringLiteral(file)}, hive_partitioning = false)`);
  if (deferred) {
    const screen = duplicateScreen({ table, key: TABLES[table].key })!;
    const repeated = Number((await connection.runAndReadAll(screen)).getRows()[0][0]);
    if (repeated === 0) checks.clean(screen);
    else rows = await write(select);
  }
  return rows;
}

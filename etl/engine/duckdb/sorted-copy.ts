import { type BuiltTable, storageOrder } from '../../tables';
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

import type { ColumnarResult, Engine, QueryOptions, SqlValue } from '../../etl/engine/engine';
import type { Dataset, Node } from './datasets/dataset';

/** The engine's columnar read, or its rows turned into columns when it has none (Athena). */
export async function queryColumns(engine: Engine, sql: string, params: SqlValue[], options: QueryOptions): Promise<ColumnarResult> {
  if (engine.queryColumns) return serialsFromUuids(await engine.queryColumns(sql, params, options));
  const rows = await engine.query(sql, params, options);
  const columns: Record<string, unknown[]> = {};
  for (const name of Object.keys(rows[0] ?? {})) columns[name] = rows.map((row) => row[name]);
  return { rowCount: rows.length, columns };
}

/** Rows start..end of a columnar result, as its own arrays. */
export function sliceColumns(result: ColumnarResult, start: number, end: number): ColumnarResult {
  const columns: Record<string, unknown[]> = {};
  for (const name of Object.keys(result.columns)) columns[name] = result.columns[name].slice(start, end);
  return { rowCount: Math.max(0, Math.min(end, result.rowCount) - start), columns };
}

const SERIAL_UUID = 'serialUuid';

/**
 * Select items reading the serial `expr` as `"serialNumber"` for a column
 * page on DuckDB: a serial whose text is DuckDB's own text of a UUID comes as
 * that UUID (16 bytes inline in the result), the text NULL; any other serial
 * (another form, not a UUID, NULL) comes as its text. Reading a 36-character
 * string out of DuckDB is a native call per row (most of a page's conversion,
 * and garbage); a UUID is read from the vector in JS. `serialsFromUuids` puts
 * the text back, so the result is the same.
 */
export function serialAsUuid(expr: string): string {
  const uuid = `TRY_CAST(${expr} AS UUID)`;
  return `CASE WHEN CAST(${uuid} AS VARCHAR) = ${expr} THEN NULL ELSE ${expr} END AS "serialNumber", ${uuid} AS "${SERIAL_UUID}"`;
}

/** The dataset as a column page of this engine reads it: serials as UUIDs where the dataset says how (DuckDB only). */
export function columnarDataset<N extends Node>(engine: Engine, ds: Dataset<N>): Dataset<N> {
  return ds.columnarSelect && engine.queryColumns ? { ...ds, select: ds.columnarSelect } : ds;
}

/** A result read with serialAsUuid as the plain select gives it: each UUID's text where the text column is NULL. */
function serialsFromUuids(result: ColumnarResult): ColumnarResult {
  const uuids = result.columns[SERIAL_UUID];
  if (!uuids) return result;
  const serials = result.columns.serialNumber;
  for (let i = 0; i < result.rowCount; i += 1) if (serials[i] === null) serials[i] = uuids[i];
  delete result.columns[SERIAL_UUID];
  return result;
}

import type { ColumnarResult, Engine, QueryOptions, SqlValue } from '../../etl/engine/engine';

/** The engine's columnar read, or its rows turned into columns when it has none (Athena). */
export async function queryColumns(engine: Engine, sql: string, params: SqlValue[], options: QueryOptions): Promise<ColumnarResult> {
  if (engine.queryColumns) return engine.queryColumns(sql, params, options);
  const rows = await engine.query(sql, params, options);
  const columns: Record<string, unknown[]> = {};
  for (const name of Object.keys(rows[0] ?? {})) columns[name] = rows.map((row) => row[name]);
  return { rowCount: rows.length, columns };
}

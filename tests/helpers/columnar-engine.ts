import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Engine, SqlValue } from '../../etl/engine/engine';
import { toJsColumns } from '../../etl/engine/duckdb/values';

/**
 * An engine with nothing but DuckDB's columnar read, over an in-memory DuckDB
 * opened on its first query: what the column-page code needs, without a lake.
 * close() (in the suite's afterAll) ends it.
 */
export function inMemoryColumnarEngine(): { engine: Engine; close(): Promise<void> } {
  let opened: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> | undefined;
  const open = () =>
    (opened ??= DuckDBInstance.create(':memory:').then(async (instance) => ({ instance, connection: await instance.connect() })));
  const engine = {
    queryColumns: async (sql: string, params: SqlValue[] = []) => toJsColumns(await (await open()).connection.run(sql, params as never)),
  } as unknown as Engine;
  const close = async (): Promise<void> => {
    if (!opened) return;
    const { instance, connection } = await opened;
    connection.closeSync();
    instance.closeSync();
  };
  return { engine, close };
}

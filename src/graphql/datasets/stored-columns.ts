import type { Engine } from '../../../etl/engine/engine';

/**
 * Whether a kept version's table stores a column: a version built by an older
 * release may not (accelerometer_trusted gained serialNumber). Asked once per
 * version and table with a query of no rows. Only "no such column" is
 * remembered; any other failure is not, and the caller's own query reports it.
 */

const MAX_ENTRIES = 64;
const known = new WeakMap<Engine, Map<string, Promise<boolean>>>();

// DuckDB: `Referenced column "x" not found`; Athena (Trino): `COLUMN_NOT_FOUND: … Column 'x' cannot be resolved`.
const MISSING_COLUMN = /column\b.*(not found|cannot be resolved)|COLUMN_NOT_FOUND/i;

export function storesColumn(engine: Engine, version: string, tableRef: string, column: string): Promise<boolean> {
  let cache = known.get(engine);
  if (!cache) known.set(engine, (cache = new Map()));
  const key = `${version}|${tableRef}|${column}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const probe = engine.query(`SELECT "${column.replace(/"/g, '""')}" FROM ${tableRef} WHERE 1 = 0`).then(
    () => true,
    (error: unknown) => {
      if (!MISSING_COLUMN.test(String((error as Error)?.message ?? error))) cache.delete(key);
      return false;
    },
  );
  cache.set(key, probe);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return probe;
}

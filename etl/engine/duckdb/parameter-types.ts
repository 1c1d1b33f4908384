import type { DuckDBType } from '@duckdb/node-api';
import type { SqlValue } from '../engine';

/**
 * The DuckDB types to bind `params` as, or undefined to let node-api choose.
 * node-api binds a whole JS number as INTEGER or BIGINT, so a double such as
 * 1e16 or 1.7e308 (an x, y or z a cursor's position may hold: landing accepts
 * any finite double) would overflow or round; those are bound as the DOUBLE
 * they are. Safe integers keep node-api's choice (epoch ms, distances).
 */
export function parameterTypes(params: readonly SqlValue[]): (DuckDBType | undefined)[] | undefined {
  if (!params.some(isWideWholeDouble)) return undefined;
  // Required here, not imported: node-api loads only once a query runs (a server that never queries never loads it).
  const { DOUBLE } = require('@duckdb/node-api') as typeof import('@duckdb/node-api');
  return params.map((value) => (isWideWholeDouble(value) ? DOUBLE : undefined));
}

const isWideWholeDouble = (value: SqlValue): boolean => typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);

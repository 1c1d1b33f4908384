import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BuiltTable, TableSpec } from './tables';

/**
 * The zone SELECTs in `sql/`, one file per table. Both engines run these texts
 * unchanged; they differ only in how a result is written.
 */

// Private: `sql/` sits beside `etl/` in the source tree and two levels up from dist/etl.
const SQL_DIR = [resolve(__dirname, '..', 'sql'), resolve(__dirname, '..', '..', 'sql')].find((dir) => existsSync(dir));

export interface ZoneSql {
  table: BuiltTable;
  text: string;
  /** How many positional `?` parameters the text takes; each one is the consent policy. */
  parameterCount: number;
}

const cache = new Map<BuiltTable, ZoneSql>();

export function zoneSql(spec: TableSpec & { name: BuiltTable }): ZoneSql {
  const cached = cache.get(spec.name);
  if (cached) return cached;
  if (!SQL_DIR) throw new Error(`the sql/ folder was not found beside ${__dirname}; the package is incomplete`);
  const text = readFileSync(join(SQL_DIR, spec.zone, `${spec.name}.sql`), 'utf8').trim();
  const withoutComments = text.replace(/--[^\n]*/g, '').replace(/'[^']*'/g, "''");
  const loaded: ZoneSql = { table: spec.name, text, parameterCount: (withoutComments.match(/\?/g) ?? []).length };
  cache.set(spec.name, loaded);
  return loaded;
}

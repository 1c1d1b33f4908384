import { DuckDBInstance } from '@duckdb/node-api';
import { SOURCES, TABLES, landingTableOf } from '../etl/tables';
import type { LandingInfo } from './lakes';

/**
 * The floor of a build: DuckDB reading every landing JSON file once,
 * `SELECT count(*)` over each source, in a fresh in-memory database as the
 * build uses. `inferred` lets DuckDB detect the schema (plain `read_json`, as
 * a user would type it); `declared` passes the catalogue's columns, as the build does.
 */
export type FloorVariant = 'inferred' | 'declared';

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;

export function floorSql(files: string[], variant: FloorVariant, columns: ReadonlyArray<{ name: string; type: string }>): string {
  const list = `[${files.map(literal).join(', ')}]`;
  const declared = variant === 'declared' ? `, columns = {${columns.map((c) => `${literal(c.name)}: ${literal(c.type)}`).join(', ')}}` : '';
  return `SELECT count(*) AS n FROM read_json(${list}, format = 'newline_delimited'${declared})`;
}

/** Reads all landing data once; returns the records counted per source. */
export async function readLandingOnce(landing: LandingInfo, variant: FloorVariant): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    let records = 0;
    for (const source of SOURCES) {
      const sql = floorSql(landing.files[source], variant, TABLES[landingTableOf(source)].columns);
      const reader = await connection.runAndReadAll(sql);
      records += Number(reader.getRows()[0][0]);
    }
    return records;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

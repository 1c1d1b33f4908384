import { DuckDBInstance } from '@duckdb/node-api';
import { type BuildOptions, runBuild } from '../../etl/build';
import { DuckDbBuildTarget } from '../../etl/engine/duckdb/duckdb-build-target';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import { readLocalManifest } from '../../etl/engine/duckdb/local-manifest';
import type { LakeManifest, VersionManifest } from '../../etl/manifest';
import type { BuiltTable } from '../../etl/tables';
import { makeTempDir } from './landing-fixture';

// Private: manifests record paths relative to their lake; remember which lake each came from.
const lakeOf = new WeakMap<VersionManifest, string>();

/** Builds `landing` into `lake` (a new temp folder by default) on DuckDB. */
export async function buildLake(landing: string, lake: string = makeTempDir('stedi-lake-'), options: BuildOptions = {}): Promise<VersionManifest> {
  const version = await runBuild(new DuckDbBuildTarget(new LakeLayout(lake, landing)), options);
  lakeOf.set(version, lake);
  return version;
}

export async function manifestOf(lake: string): Promise<LakeManifest | null> {
  const manifest = await readLocalManifest(new LakeLayout(lake).manifestPath);
  manifest?.versions.forEach((v) => lakeOf.set(v, lake));
  return manifest;
}

/** The absolute path of a built table's file, for a version from buildLake or manifestOf. */
export function tableFile(version: VersionManifest, table: BuiltTable): string {
  const lake = lakeOf.get(version);
  if (lake === undefined) throw new Error('tableFile takes a version returned by buildLake or manifestOf');
  return new LakeLayout(lake).located(version.tables[table].location);
}

/** The absolute path of a version's quarantine folder. */
export function quarantineOf(version: VersionManifest): string {
  const lake = lakeOf.get(version);
  if (lake === undefined) throw new Error('quarantineOf takes a version returned by buildLake or manifestOf');
  return new LakeLayout(lake).located(version.quarantine);
}

/** Every row of a built table of a version, read straight from its Parquet file. */
export async function readTable(version: VersionManifest, table: BuiltTable, orderBy = '1'): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet(?, hive_partitioning = false) ORDER BY ${orderBy}`, [tableFile(version, table)]);
    return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export const rowCounts = (version: VersionManifest): Record<string, number> =>
  Object.fromEntries(Object.entries(version.tables).map(([name, t]) => [name, t.rows]));

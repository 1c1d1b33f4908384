import { DuckDBInstance } from '@duckdb/node-api';
import type { BuildOptions } from '../../build-options';
import type { BuildConnections } from './build-connections';
import { type BuildRecord, writeBuildRecord } from './build-records';
import { clearDeadBuilds } from './dead-builds';
import { onLakeFilesystem } from './fs-errors';
import type { LakeLayout } from './lake-layout';

/**
 * A DuckDB build's start, once it holds the lake's lock: DuckDB starts (about 20 ms, on another thread) while the
 * build's record is written. The record names the version, so from there its folders may be written: the landing is
 * parsed while DuckDB starts and dead builds are cleared. A statement waits for DuckDB (build-connections.ts),
 * publishing for both. Resolves once the record is written; a failure to write it closes DuckDB as it starts.
 */
export async function startBesideRecord(
  layout: LakeLayout,
  record: BuildRecord,
  duckdbConfig: Record<string, string>,
  duckdb: BuildConnections,
  onDeadBuildsCleared: BuildOptions['onDeadBuildsCleared'],
): Promise<void> {
  const starting = DuckDBInstance.create(':memory:', duckdbConfig);
  // Awaited once the record is written; until then a failure to start must not count as unhandled.
  starting.catch(() => undefined);
  try {
    await onLakeFilesystem(layout.buildsDir, layout.lake, () => writeBuildRecord(layout, record));
  } catch (error) {
    await starting.then((instance) => instance.closeSync(), () => undefined);
    throw error;
  }
  duckdb.start(starting, clearDeadBuilds(layout, record).then((cleared) => void (cleared.bytes > 0 && onDeadBuildsCleared?.(cleared))));
}

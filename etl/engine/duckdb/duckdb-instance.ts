import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ownerTag, removeDeadProcessFolders } from '../../dead-process-folders';
import { ConnectionPool } from './connection-pool';
import type * as ResultValues from './values';

export interface DuckDbInstanceOptions {
  /** Connections serving queries at once (default 8). */
  connections?: number;
  /** DuckDB's memory_limit (such as "2GB"); unset: DuckDB's default, 80% of physical memory. */
  memoryLimit?: string;
  /** DuckDB's threads (per query); unset: DuckDB's default, one per core. */
  threads?: number;
}

export interface OpenedDuckDb {
  instance: DuckDBInstance;
  pool: ConnectionPool<DuckDBConnection>;
  /** The result readers: loaded with DuckDB, since they import its native bindings. */
  values: typeof ResultValues;
  /** Where it spills what passes its memory limit (its temp_directory). */
  spillDir: string;
}

const SPILL_PREFIX = 'stedi-duckdb-';
const DEAD_SPILL = new RegExp(`^${SPILL_PREFIX}(\\d+)(?:\\.(\\d+))?-`);

/**
 * Where a serving instance spills what exceeds its memory limit: a folder of the temporary one named for this process
 * (DuckDB makes it on the first spill and removes it on close), and one per instance (their files would share names).
 * DuckDB's own default for an in-memory database is `.tmp` in the working directory: a server killed mid-spill left it
 * in the user's folder for ever, and a working directory it may not write (a container's /) failed the spill.
 */
function spillFolder(): string {
  // A server killed outright left its folder: each start removes those.
  removeDeadProcessFolders(tmpdir(), DEAD_SPILL);
  return join(tmpdir(), `${SPILL_PREFIX}${ownerTag()}-${randomBytes(4).toString('hex')}`);
}

/** An in-memory DuckDB instance set up for serving versions from their Parquet files (the native library loads here: ~10 MiB a process). */
export async function openDuckDb(options: DuckDbInstanceOptions): Promise<OpenedDuckDb> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  // Versions are read from their Parquet files: keep each file's metadata, leave the bytes to the OS page cache (shared by every worker).
  // DuckDB's allocator (jemalloc) hands freed pages back to the OS from a background thread; without it a worker kept a page's buffers after the load ended.
  const spillDir = spillFolder();
  const settings: Record<string, string> = { enable_external_file_cache: 'false', allocator_background_threads: 'true', temp_directory: spillDir };
  if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
  if (options.threads) settings.threads = String(options.threads);
  const instance = await DuckDBInstance.create(':memory:', settings);
  const connections = await Promise.all(Array.from({ length: options.connections ?? 8 }, () => instance.connect()));
  // GLOBAL: a plain SET held for the one connection that ran it, so the cache was off on every other.
  await connections[0].run('SET GLOBAL parquet_metadata_cache = true');
  return { instance, pool: new ConnectionPool(connections), values: await import('./values'), spillDir };
}

import { stat } from 'node:fs/promises';
import { SOURCES } from '../../tables';
import type { UniqueKey } from '../build-target';
import type { BuildOptions } from '../../build-options';
import type { LakeLayout } from './lake-layout';
import { findLandingFiles } from './landing-files';

/**
 * The build's DuckDB memory limit: beyond it, hash tables and sorts spill to
 * the build's folder under `_stedi/builds/` (where the landing rows are, as
 * Parquet files, outside DuckDB's memory).
 * DuckDB's default (80% of the machine) let a 1 GB landing peak at 2.3 GiB; with
 * 800 MB the process still reached 1.76 GiB when the machine was quiet; 600 MB
 * leaves the landing phase the peak, for about 7% more CPU at 100x.
 */
export const BUILD_MEMORY_LIMIT = '600MB';

/**
 * Below this much landing JSON a build runs two statements at a time, each on
 * one thread: its statements are small and mostly run on one core anyway (a
 * table under 122,880 rows, one row group, is scanned by one thread), and
 * DuckDB's idle worker threads only cost CPU. Above it a zone uses every
 * core alone (two zones at once would only add to the memory a build holds);
 * checks run beside it, mostly on one core, in the core the zone leaves idle.
 */
export const CONCURRENT_BELOW_BYTES = 64 * 1024 * 1024;

/** How a DuckDB build is asked to run (duckdb-build-target.ts); unset, each is chosen by the landing's size. */
export interface DuckDbBuildSettings {
  threads?: number;
  maxLineBytes?: number;
  doubtTextBytes?: number;
  background?: boolean;
  memoryLimit?: string;
  /** Write a deferrable DISTINCT's table without it first (deferred-distinct.ts); unset: in large builds only. */
  deferDistinct?: boolean;
  onLeftBehind?: BuildOptions['onLeftBehind'];
  onDeadBuildsCleared?: BuildOptions['onDeadBuildsCleared'];
}

/** How a build runs, by its landing's size (CONCURRENT_BELOW_BYTES): DuckDB threads per statement, statements at once, zones at once (unset: no limit of its own). */
export interface BuildShape {
  threads?: number;
  concurrentSteps?: number;
  concurrentZones?: number;
}

/** The shape of a build whose landing holds `landing` bytes; undefined for a rebuild inside the server, which is never measured. */
export function buildShape(landing: number | undefined, threads: number | undefined): BuildShape {
  const small = landing !== undefined && landing < CONCURRENT_BELOW_BYTES;
  // A small landing runs two statements at once, each on one thread.
  const shape = { threads: threads || (small ? 1 : undefined) };
  // Never beside readers: a rebuild inside the server runs one statement at a time, once every source is in.
  if (landing === undefined) return shape;
  // A large build runs one zone at a time (its sort needs the memory) and checks beside it.
  return { ...shape, concurrentSteps: 2, concurrentZones: small ? undefined : 1 };
}

/**
 * The build's DuckDB settings: spilling into `spillDir`, `threads` per statement when set (else one per
 * core), and the insertion order not kept (each table is written sorted).
 */
export function buildDuckDbConfig(spillDir: string, memoryLimit = BUILD_MEMORY_LIMIT, threads?: number): Record<string, string> {
  const config: Record<string, string> = {
    // Freed pages go back to the OS from jemalloc's background thread, as in the serving engine.
    allocator_background_threads: 'true',
    preserve_insertion_order: 'false',
    memory_limit: memoryLimit,
    temp_directory: spillDir,
  };
  if (threads !== undefined) config.threads = String(threads);
  return config;
}

/** Bytes of every source's landing files; infinite when they cannot be listed (loading them will say why). */
export async function landingBytes(layout: LakeLayout): Promise<number> {
  let bytes = 0;
  try {
    for (const source of SOURCES) for (const file of await findLandingFiles(layout.landingDir(source), layout.landing)) bytes += (await stat(file)).size;
  } catch {
    return Infinity;
  }
  return bytes;
}

/**
 * A cheaper screen for a uniqueness check, or undefined. Duplicate rows hash
 * alike, so no repeated 64-bit hash of the key means no duplicate; grouping one
 * hash is about half the cost of grouping five columns. A repeated hash (a
 * duplicate, or a rare collision) leaves the exact check to run.
 */
export function duplicateScreen(unique: UniqueKey | undefined): string | undefined {
  if (!unique || unique.key.length < 2) return undefined;
  const key = unique.key.map((c) => `"${c}"`).join(', ');
  return `SELECT count(*) FROM (SELECT hash(${key}) AS h FROM ${unique.table} GROUP BY h HAVING count(*) > 1) AS repeated`;
}

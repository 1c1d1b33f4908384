import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, runBuild } from '../etl/build';
import { openEngine } from '../etl/engine/open-engine';
import { generateLanding } from '../etl/generate/generate';
import type { VersionManifest } from '../etl/manifest';
import { SOURCES, type Source } from '../etl/tables';

/**
 * The landing data and lakes the benchmarks run on. Synthetic landing data is
 * generated once per (customers, seed) into the gitignored `bench/.cache` and
 * reused by later runs; lakes are built fresh in each run's scratch folder.
 */

const COMPLETE = '.complete.json';

export interface LandingInfo {
  dir: string;
  customers: number | null;
  bytes: number;
  files: Record<Source, string[]>;
}

/** The landing files of each source, as the build finds them (name order). */
export async function describeLanding(dir: string, customers: number | null = null): Promise<LandingInfo> {
  const files = {} as Record<Source, string[]>;
  let bytes = 0;
  for (const source of SOURCES) {
    const folder = join(dir, source, 'landing');
    const names = (await readdir(folder)).filter((n) => /\.(json|jsonl|ndjson)$/i.test(n)).sort();
    files[source] = names.map((n) => join(folder, n));
    for (const file of files[source]) bytes += (await stat(file)).size;
  }
  return { dir, customers, bytes, files };
}

/** Synthetic landing data for `customers` customers, generated on first use and cached by (customers, seed). */
export async function syntheticLanding(cacheDir: string, customers: number, seed: number, log: (m: string) => void): Promise<LandingInfo> {
  const dir = join(cacheDir, 'landing', `customers-${customers}-seed-${seed}`);
  const marker = join(dir, COMPLETE);
  if (!existsSync(marker)) {
    log(`generating landing data for ${customers.toLocaleString('en-US')} customers (seed ${seed}) into ${dir}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const report = await generateLanding({ out: dir, customers, seed, dirty: 0, force: true });
    await writeFile(marker, JSON.stringify({ customers, seed, records: report.records, durationMs: report.durationMs }, null, 2));
  }
  return describeLanding(dir, customers);
}

/** Builds `landing` into the lake folder `lake` through the public engine seam, as `stedi build` does. */
export async function buildLake(landing: string, lake: string, onProgress?: BuildOptions['onProgress']): Promise<VersionManifest> {
  // Opened as `stedi build` opens it: lazily, the build having its own DuckDB.
  const engine = await openEngine({ kind: 'duckdb', lake, landing, connections: 1, lazy: true });
  try {
    const options = { onProgress };
    return await runBuild(await engine.buildTarget(options), options);
  } finally {
    await engine.close();
  }
}

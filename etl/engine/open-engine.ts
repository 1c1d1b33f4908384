import type { BuildOptions } from '../build-options';
import type { Engine } from './engine';
import type { AthenaEngineOptions } from './athena/athena-options';
import type { PreflightCheck } from './athena/preflight';
import type { BuildPlan } from './athena/plan-text';
import { DuckDbEngine } from './duckdb/duckdb-engine';
import type { DuckDbEngineOptions } from './duckdb/duckdb-engine-options';

/** How a planned build prints without --json: the pre-flight calls, then one statement per block. */
export { formatPlan, type BuildPlan } from './athena/plan-text';
export type { PreflightCheck } from './athena/preflight';
/** One Athena setting checked alone (no SDK loaded), so the CLI can tell a flag's bad value from the environment's. */
export { checkAthenaSetting, type AthenaSetting } from './athena/athena-options';

/**
 * The Athena engine and its AWS SDK clients load on first use: they are about
 * 40 MiB of heap per process, which a DuckDB lake (and each server worker) never needs.
 */
const athena = () => import('./athena/athena-engine');

/** What it takes to open either engine; the caller (the CLI, the server) fills it from its config. */
export type EngineOptions = ({ kind: 'duckdb' } & DuckDbEngineOptions) | ({ kind: 'athena' } & AthenaEngineOptions);

export async function openEngine(options: EngineOptions): Promise<Engine> {
  switch (options.kind) {
    case 'duckdb':
      return DuckDbEngine.open(options);
    case 'athena':
      return (await athena()).AthenaEngine.open(options);
  }
}

/** The pre-flight calls and statements a build would run, in order, without running anything (Athena only: DuckDB builds are not statement lists). */
export async function planBuild(options: EngineOptions, build: BuildOptions = {}): Promise<BuildPlan> {
  if (options.kind !== 'athena') throw new Error('a dry run lists the statements of an Athena build; use it with --engine athena (or STEDI_ENGINE=athena)');
  return (await import('./athena/dry-run')).planAthenaBuildWithPreflight(options, build);
}

/** `stedi doctor`: the Athena pre-flight alone, every check reported (the lock is taken and given back). */
export async function checkAthenaSetup(options: EngineOptions): Promise<PreflightCheck[]> {
  if (options.kind !== 'athena') throw new Error('stedi doctor checks an Athena set-up; use it with --engine athena (or STEDI_ENGINE=athena)');
  const engine = await (await athena()).AthenaEngine.open(options);
  try {
    // The landing a build would read; a manifest that cannot be read is the lake check's to report, so the lake's own is checked.
    return await engine.preflight(await engine.landingLayout().catch(() => undefined)).report();
  } finally {
    await engine.close();
  }
}

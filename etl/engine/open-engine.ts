import type { BuildOptions } from '../build-options';
import type { Engine } from './engine';
import { AthenaEngine } from './athena/athena-engine';
import type { AthenaEngineOptions } from './athena/athena-options';
import { planAthenaBuild } from './athena/dry-run';

/** How a planned build prints without --json: one statement per block. */
export { formatStatements } from './athena/dry-run';
import type { Statement } from './athena/statements';
import { DuckDbEngine, type DuckDbEngineOptions } from './duckdb/duckdb-engine';

/** What it takes to open either engine; the caller (the CLI, the server) fills it from its config. */
export type EngineOptions = ({ kind: 'duckdb' } & DuckDbEngineOptions) | ({ kind: 'athena' } & AthenaEngineOptions);

export async function openEngine(options: EngineOptions): Promise<Engine> {
  switch (options.kind) {
    case 'duckdb':
      return DuckDbEngine.open(options);
    case 'athena':
      return AthenaEngine.open(options);
  }
}

/** The statements a build would run, in order, without running anything (Athena only: DuckDB builds are not statement lists). */
export async function planBuild(options: EngineOptions, build: BuildOptions = {}): Promise<Statement[]> {
  if (options.kind !== 'athena') throw new Error('a dry run lists the statements of an Athena build; use it with --engine athena (or STEDI_ENGINE=athena)');
  return planAthenaBuild(options, build);
}

import type { Engine } from './engine';
import { DuckDbEngine, type DuckDbEngineOptions } from './duckdb/duckdb-engine';

/** What it takes to open either engine; the caller (the CLI, the server) fills it from its config. */
export type EngineOptions = ({ kind: 'duckdb' } & DuckDbEngineOptions) | { kind: 'athena'; [setting: string]: unknown };

export async function openEngine(options: EngineOptions): Promise<Engine> {
  switch (options.kind) {
    case 'duckdb':
      return DuckDbEngine.open(options);
    case 'athena':
      throw new Error('the athena engine is not available in this build');
  }
}

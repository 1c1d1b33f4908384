import type { Engine } from '../etl/engine/engine';
import { type EngineOptions, openEngine } from '../etl/engine/open-engine';
import type { Config } from './config';

/** The engine options the configuration names; `lazy`: DuckDB starts on the first query (a cluster's primary never queries). */
export function engineOptions(config: Config, { lazy = false }: { lazy?: boolean } = {}): EngineOptions {
  if (config.engine === 'athena') {
    return { kind: 'athena', lake: config.lake, landing: config.landing, queryTimeoutMs: config.queryTimeoutMs, ...config.athena };
  }
  return { kind: 'duckdb', lake: config.lake, landing: config.landing, queryTimeoutMs: config.queryTimeoutMs, loadTimeoutMs: config.loadTimeoutMs, memoryLimit: config.duckdbMemoryLimit, threads: config.duckdbThreads || undefined, lazy };
}

/** Opens the engine the configuration names; the rest of `src/` sees only `Engine`. */
export function openConfiguredEngine(config: Config, how: { lazy?: boolean } = {}): Promise<Engine> {
  return openEngine(engineOptions(config, how));
}

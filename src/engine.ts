import type { Engine } from '../etl/engine/engine';
import { type EngineOptions, openEngine } from '../etl/engine/open-engine';
import type { Config } from './config';

/** The engine options the configuration names. */
export function engineOptions(config: Config): EngineOptions {
  if (config.engine === 'athena') {
    return { kind: 'athena', lake: config.lake, landing: config.landing, queryTimeoutMs: config.queryTimeoutMs, ...config.athena };
  }
  return { kind: 'duckdb', lake: config.lake, landing: config.landing, queryTimeoutMs: config.queryTimeoutMs, loadTimeoutMs: config.loadTimeoutMs, memoryLimit: config.duckdbMemoryLimit };
}

/** Opens the engine the configuration names; the rest of `src/` sees only `Engine`. */
export function openConfiguredEngine(config: Config): Promise<Engine> {
  return openEngine(engineOptions(config));
}

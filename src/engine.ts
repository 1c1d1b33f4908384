import type { Engine } from '../etl/engine/engine';
import { openEngine } from '../etl/engine/open-engine';
import type { Config } from './config';

/** Opens the engine the configuration names; the rest of `src/` sees only `Engine`. */
export function openConfiguredEngine(config: Config): Promise<Engine> {
  if (config.engine === 'athena') {
    return openEngine({ kind: 'athena', lake: config.lake, landing: config.landing, queryTimeoutMs: config.queryTimeoutMs, ...config.athena });
  }
  return openEngine({ kind: 'duckdb', lake: config.lake, landing: config.landing, queryTimeoutMs: config.queryTimeoutMs });
}

import type { Engine } from '../etl/engine/engine';
import type { ManifestError } from '../etl/manifest';
import { type EngineOptions, openEngine } from '../etl/engine/open-engine';
import type { Config } from './config';
import type { Logger } from './logger';

/** How an engine is opened: `lazy`, DuckDB starts on the first query (a cluster's primary never queries); `logger`, a server's. */
export interface OpenHow {
  lazy?: boolean;
  /**
   * Where a server's engine warns (on Athena: a lock or an expired version a rebuild could not remove): one JSON log
   * line with the error, as every other event. Without it (the CLI) a warning is one `stedi athena: ` line on stderr,
   * which a server wrote too, raw between its JSON lines.
   */
  logger?: Logger;
}

/** The engine options the configuration names. */
export function engineOptions(config: Config, { lazy = false, logger }: OpenHow = {}): EngineOptions {
  if (config.engine === 'athena') {
    const warn = logger && ((message: string, error?: unknown): void => logger.warn(error === undefined ? {} : { err: error }, message));
    return { kind: 'athena', lake: config.lake, landing: config.landing, queryTimeoutMs: config.queryTimeoutMs, ...config.athena, warn };
  }
  // A server says so when its manifest is damaged and it serves the copy (once per damaged file).
  const onManifestDamage = logger && ((damage: ManifestError): void => logger.warn(`the lake manifest ${damage.where} ${damage.detail}; serving the versions its copy names until a build writes it again (\`stedi build\` or the rebuildZones mutation)`));
  return { kind: 'duckdb', lake: config.lake, landing: config.landing, queryTimeoutMs: config.queryTimeoutMs, loadTimeoutMs: config.loadTimeoutMs, memoryLimit: config.duckdbMemoryLimit, threads: config.duckdbThreads || undefined, lazy, onManifestDamage };
}

/** Opens the engine the configuration names; the rest of `src/` sees only `Engine`. */
export function openConfiguredEngine(config: Config, how: OpenHow = {}): Promise<Engine> {
  return openEngine(engineOptions(config, how));
}

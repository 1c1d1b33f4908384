import type { ConsentPolicy } from '../../etl/consent-policy';
import type { Engine } from '../../etl/engine/engine';
import { type Config, type ConfigOverrides, loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { createLogger, type Logger } from '../../src/logger';
import { buildInThisProcess } from '../../src/rebuild/rebuild-process';
import type { BuildRunner } from '../../src/rebuild/rebuilds';
import { closeServices, createServices, type Services } from '../../src/services';
import { buildInCompiledChild } from './compiled-rebuild-child';
import { buildLake } from './etl-lake';
import { makeTempDir } from './landing-fixture';

export interface TestLakeOptions {
  /** A landing folder holding `<source>/landing/*.json` (a fixture or STEDI_SAMPLE_DIR). */
  landing: string;
  consentPolicy?: ConsentPolicy;
  keepVersions?: number;
  /** false: leave the lake unbuilt (for LAKE_NOT_BUILT cases). Default true. */
  build?: boolean;
  /** Serve this lake folder (built beforehand, with build: false) instead of a new one. */
  lake?: string;
  /** Any other setting (maxPageSize, consentRefreshMs, …); the environment is ignored. */
  config?: ConfigOverrides;
  /** Wraps the opened engine before services see it (e.g. to count queries). */
  wrapEngine?: (engine: Engine) => Engine;
  logger?: Logger;
  /** Run rebuilds in a child process as a server does (slower: a process start each); default: in this process. */
  rebuildProcess?: boolean;
  /** Wraps the in-process build a rebuild runs (e.g. to fail it the way a dying child process does). */
  wrapBuildRunner?: (build: BuildRunner) => BuildRunner;
}

export interface TestLake {
  lake: string;
  landing: string;
  config: Config;
  /** The engine services use (the wrapped one when wrapEngine was given). */
  engine: Engine;
  services: Services;
  /** Stops services, closes the engine. The temp folders are left to the OS. */
  close(): Promise<void>;
}

/** A lake built (on DuckDB, in a new temp folder) from `landing`, with an open engine and services. */
export async function buildTestLake(options: TestLakeOptions): Promise<TestLake> {
  const lake = options.lake ?? makeTempDir('stedi-test-lake-');
  const config = loadConfig(
    {
      engine: 'duckdb',
      lake,
      landing: options.landing,
      consentPolicy: options.consentPolicy ?? 'any',
      keepVersions: options.keepVersions ?? 3,
      logLevel: 'silent',
      ...options.config,
    },
    {},
  );
  if (options.build !== false) await buildLake(options.landing, lake, { consentPolicy: config.consentPolicy, keepVersions: config.keepVersions });
  const opened = await openConfiguredEngine(config);
  const engine = options.wrapEngine ? options.wrapEngine(opened) : opened;
  const services = await createServices(config, engine, options.logger ?? createLogger(config.logLevel), {
    buildRunner: options.rebuildProcess ? buildInCompiledChild : (options.wrapBuildRunner ?? ((build) => build))(buildInThisProcess(engine)),
  });
  return {
    lake,
    landing: options.landing,
    config,
    engine,
    services,
    async close() {
      await closeServices(services);
      await opened.close();
    },
  };
}

import { type ConfigOverrides, loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { startServer, type RunningServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { buildInCompiledChild } from './compiled-rebuild-child';
import { buildLake } from './etl-lake';
import { testApiKeys } from './http-app';
import { makeTempDir } from './landing-fixture';

/**
 * A real server over a lake built from `landing` (or over `overrides.lake` as it is, built or not), listening on
 * 127.0.0.1 on a free port.
 */
export async function startLiveServer(landing: string, overrides: ConfigOverrides = {}): Promise<RunningServer> {
  // A lake the caller names is served as it is: building one it never serves cost a whole build.
  const lake = overrides.lake ?? makeTempDir('stedi-live-lake-');
  if (overrides.lake === undefined) await buildLake(landing, lake);
  const config = loadConfig({ lake, landing, host: '127.0.0.1', port: 0, logLevel: 'silent', ...overrides }, {});
  const engine = await openConfiguredEngine(config);
  return startServer({ config, engine, apiKeys: testApiKeys(), logger: createLogger('silent'), graceMs: 1_000, buildRunner: buildInCompiledChild });
}

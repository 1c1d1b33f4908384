import { type ConfigOverrides, loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { startServer, type RunningServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { buildLake } from './etl-lake';
import { testApiKeys } from './http-app';
import { makeTempDir } from './landing-fixture';

/** A real server over a lake built from `landing`, listening on 127.0.0.1 on a free port. */
export async function startLiveServer(landing: string, overrides: ConfigOverrides = {}): Promise<RunningServer> {
  const lake = makeTempDir('stedi-live-lake-');
  await buildLake(landing, lake);
  const config = loadConfig({ lake, landing, host: '127.0.0.1', port: 0, logLevel: 'silent', ...overrides }, {});
  const engine = await openConfiguredEngine(config);
  return startServer({ config, engine, apiKeys: testApiKeys(), logger: createLogger('silent'), graceMs: 1_000 });
}

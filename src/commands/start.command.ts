import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runBuild } from '../../etl/build';
import { buildReport } from '../../etl/build-report';
import type { Engine } from '../../etl/engine/engine';
import { generateLanding } from '../../etl/generate/generate';
import { liveVersion } from '../../etl/manifest';
import { ApiKeys, parseApiKeys } from '../auth/api-keys';
import { formatSessionKeys, generateSessionKeys } from '../auth/session-keys';
import type { Config } from '../config';
import { openConfiguredEngine } from '../engine';
import { buildProgressBar } from './build-progress';
import { formatBuildSummary } from './build-summary';
import { keysOf, portNumber, serve, serveConfig, type ServeFlags } from './serve.command';

/**
 * `npm start`: the zero-setup path. Builds the lake first when it has no live
 * version (generating a sample landing when there is no landing data either),
 * makes session API keys when none are configured, then serves.
 */

export const SAMPLE = { customers: 1_000, seed: 42, dirty: 0.01 } as const;

const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function hasLandingData(landing: string): Promise<boolean> {
  const files = await readdir(join(landing, 'customer', 'landing')).catch(() => [] as string[]);
  return files.some((f) => /\.(json|jsonl|ndjson)$/i.test(f));
}

/** Builds the lake unless it has a live version; generates the sample landing first when there is none. */
export async function ensureLake(config: Config, engine: Engine): Promise<void> {
  const manifest = await engine.manifest();
  if (manifest && liveVersion(manifest)) return;
  const landing = config.landing ?? config.lake;
  if (!landing.startsWith('s3://') && !(await hasLandingData(landing))) {
    out(`No landing data in ${landing}: generating a sample (${SAMPLE.customers.toLocaleString('en-US')} customers, seed ${SAMPLE.seed})…`);
    await generateLanding({ out: landing, ...SAMPLE });
  }
  out(`The lake at ${config.lake} has not been built: building it from ${landing}…`);
  const progress = buildProgressBar();
  try {
    const options = { consentPolicy: config.consentPolicy, keepVersions: config.keepVersions, onProgress: progress.onProgress };
    const built = await runBuild(await engine.buildTarget(options), options);
    progress.stop();
    process.stdout.write(formatBuildSummary(buildReport(built, config.lake)));
  } finally {
    progress.stop();
  }
}

export function registerStart(cli: Command): void {
  cli
    .command('start')
    .description('build the lake if it has no live version (with a generated sample when there is no landing data), then serve it')
    .option('--lake <dir>', 'lake folder (default: STEDI_LAKE or ./lake)')
    .option('--landing <dir>', 'landing folder (default: the lake folder)')
    .option('--port <n>', 'port to listen on (default: PORT or 4000)', portNumber)
    .action(async (flags: ServeFlags) => {
      const config = serveConfig(flags);
      let apiKeys = keysOf(config);
      const session = apiKeys.size === 0 ? generateSessionKeys() : undefined;
      if (session) apiKeys = new ApiKeys(parseApiKeys(session.setting, 'session keys'));
      const engine = await openConfiguredEngine(config);
      try {
        await ensureLake(config, engine);
      } catch (error) {
        await engine.close();
        throw error;
      }
      const running = await serve(config, apiKeys, engine);
      out(`\nServing ${config.lake} at ${running.url}/graphql`);
      if (session) out(`\n${formatSessionKeys(session, `${running.url}/graphql`)}`);
    });
}

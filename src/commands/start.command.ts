import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runBuildOnSteadyLanding } from '../../etl/build-again';
import { buildReport } from '../../etl/build-report';
import type { BuildProgress } from '../../etl/build-options';
import type { Engine } from '../../etl/engine/engine';
import { generateLanding } from '../../etl/generate/generate';
import { GenerateStaging } from '../../etl/generate/staging';
import { liveVersion } from '../../etl/manifest';
import { ApiKeyError, ApiKeys, parseApiKeys } from '../auth/api-keys';
import { loadOrCreateDevKeys } from '../auth/dev-keys';
import { formatSessionKeys, generateSessionKeys, type SessionKeys } from '../auth/session-keys';
import type { Config } from '../config';
import { openConfiguredEngine } from '../engine';
import { buildProgressBar } from './build-progress';
import { CliError } from './cli-error';
import { abortOnInterrupt, interruptOf, interruptedExitCode, sayWhenBuildInterrupted, sayWhenInterrupted } from './interrupts';
import { formatBuildSummary } from './build-summary';
import { keysOf, portNumber, serve, serveConfig, type ServeFlags } from './serve.command';
import { engineConfig } from './engine-flags';
import { withExamples } from './help-examples';
import { printablePath, stderrLine } from './printable-text';
import { ensureSampleRoom } from './sample-room';

/**
 * `npm start`: the zero-setup path. Builds the lake first when it has no live
 * version (generating a sample landing when there is no landing data either),
 * makes development API keys when none are configured (kept in the lake
 * folder for the next start), then serves and prints the keys last.
 */

export const SAMPLE = { customers: 1_000, seed: 42, dirty: 0.01 } as const;

const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function hasLandingData(landing: string): Promise<boolean> {
  const files = await readdir(join(landing, 'customer', 'landing')).catch(() => [] as string[]);
  return files.some((f) => /\.(json|jsonl|ndjson)$/i.test(f));
}

/**
 * Builds the lake unless it has a live version; generates the sample landing first when there is none.
 * `handOver` removes the caller's interrupt handler: the generate and the build say and undo their own.
 */
export async function ensureLake(config: Config, engine: Engine, handOver: () => void = () => undefined): Promise<void> {
  const manifest = await engine.manifest();
  const live = manifest && liveVersion(manifest);
  if (live) {
    // Said: landing added since, or a new --landing, reads as if start built it, and it does not.
    out(`The lake at ${printablePath(config.lake)} is built (live version ${live.version}, ${live.builtAt}): serving it as it is; \`stedi build\` makes a new version from landing`);
    return;
  }
  const landing = config.landing ?? config.lake;
  // A sample generate killed while moving its files in is finished or undone first: else part of it looked like data.
  if (!landing.startsWith('s3://')) await GenerateStaging.settleDead(landing);
  const generate = !landing.startsWith('s3://') && !(await hasLandingData(landing));
  handOver();
  if (generate) {
    const customers = `${SAMPLE.customers.toLocaleString('en-US')} customers`;
    await ensureSampleRoom(landing, SAMPLE, '--landing', (need, free) =>
      `no landing data in ${printablePath(landing)}, and the sample start generates there (${customers}) takes about ${need}: its disk has ${free} free; free space there, or point --landing and --lake at folders on a larger disk`,
    );
    out(`No landing data in ${printablePath(landing)}: generating a sample (${customers}, seed ${SAMPLE.seed})…`);
    await generateSample(landing);
  }
  out(`The lake at ${printablePath(config.lake)} has not been built: building it from ${printablePath(landing)}…`);
  const progress = buildProgressBar();
  const interrupted = sayWhenBuildInterrupted();
  try {
    const options = {
      consentPolicy: config.consentPolicy,
      keepVersions: config.keepVersions,
      // The build and the server's consent registry must judge every landing line alike (STEDI_MAX_LINE_BYTES).
      maxLineBytes: config.maxLineBytes,
      doubtTextBytes: config.doubtTextBytes,
      landingSettle: config.landingSettle,
      onProgress: (p: BuildProgress) => {
        if (p.step.kind === 'publish') interrupted.publishing = true;
        progress.onProgress(p);
      },
      onBuildAgain: (message: string) => process.stderr.write(stderrLine(message)),
    };
    const built = await runBuildOnSteadyLanding(() => engine.buildTarget(options), options);
    progress.stop();
    process.stdout.write(formatBuildSummary(buildReport(built, config.lake)));
  } finally {
    interrupted.stop();
    progress.stop();
  }
}

/** The sample landing; Ctrl+C stops it as it stops `stedi generate`: one line, exit 130, landing as it was. */
async function generateSample(landing: string): Promise<void> {
  const interrupted = abortOnInterrupt();
  try {
    // The sample goes into the landing folder: a fix names start's --landing (it has no --out nor --force).
    await generateLanding({ out: landing, ...SAMPLE, signal: interrupted.signal, flags: { out: '--landing' } });
  } catch (error) {
    const signal = interruptOf(interrupted.signal);
    if (!signal) throw error;
    throw new CliError(`start interrupted (${signal}) while generating the sample; nothing was written to the landing folders`, interruptedExitCode(signal));
  } finally {
    interrupted.stop();
  }
}

/** Kept keys for a local lake; an S3 lake gets keys for this process only. `note`: why they could not be kept. */
function devKeys(config: Config): { keys: SessionKeys; file?: string; note?: string } {
  if (config.lake.startsWith('s3://')) return { keys: generateSessionKeys() };
  try {
    return loadOrCreateDevKeys(config.lake);
  } catch (error) {
    if (error instanceof ApiKeyError) throw new CliError(error.message);
    throw error;
  }
}

const EXAMPLES: Array<[string, string]> = [
  ['npm start', 'the same as stedi start'],
  ['stedi start --lake ./lake --port 4001', 'another lake folder and port'],
  ['STEDI_API_KEYS="$KEY:admin" stedi start', 'your own key instead of the kept development keys'],
];

export function registerStart(cli: Command): void {
  withExamples(cli.command('start'), EXAMPLES)
    .description('build the lake if it has no live version (with a generated sample when there is no landing data), then serve it')
    .option('--lake <dir>', 'lake folder (default: STEDI_LAKE or ./lake)')
    .option('--landing <dir>', 'landing folder (default: STEDI_LANDING, else the one the live version was built from, else the lake folder)')
    .option('--port <n>', 'port to listen on (default: PORT or 4000), at the address HOST (default 127.0.0.1: this machine only; 0.0.0.0: every network)', portNumber)
    .action(async (flags: ServeFlags) => {
      const config = engineConfig(flags, () => serveConfig(flags));
      // Until serve's own handlers (installed as it is called), a signal while the engine opens and the manifest is
      // read stopped the process silently with 130.
      const stopEarly = sayWhenInterrupted((signal) => `start interrupted (${signal}) before the server started; nothing is served, the lake is as it was`);
      let apiKeys = await keysOf(config);
      const dev = apiKeys.size === 0 ? devKeys(config) : undefined;
      if (dev) apiKeys = new ApiKeys(parseApiKeys(dev.keys.setting, 'development keys'));
      const engine = await openConfiguredEngine(config);
      try {
        await ensureLake(config, engine, stopEarly);
      } catch (error) {
        await engine.close();
        throw error;
      } finally {
        stopEarly();
      }
      // Said once the lake is known usable: a lake that is not (a link to a disk not mounted) is the one line to read.
      if (dev?.note) out(`Note: ${dev.note}.`);
      await serve(config, apiKeys, engine, (running) => {
        out(`\nServing ${printablePath(config.lake)} at ${running.url}/graphql`);
        if (dev) out(`\n${formatSessionKeys(dev.keys, running.url, dev.file)}`);
      });
    });
}

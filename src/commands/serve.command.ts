import { existsSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { Engine } from '../../etl/engine/engine';
import { lowerEngineThreads } from '../engine-threads';
import { ApiKeyError, type ApiKeys, loadApiKeys } from '../auth/api-keys';
import { type Config, loadConfig } from '../config';
import { openConfiguredEngine } from '../engine';
import { createLogger, type Logger } from '../logger';
import { announceListening } from '../http/listening-file';
import { onTerminationSignals } from '../http/shutdown';
import { CliError } from './cli-error';
import { interruptedExitCode } from './interrupts';
import { type EngineFlags, addEngineFlags, engineConfig, engineOverrides } from './engine-flags';
import { withExamples } from './help-examples';
import { wholeNumber } from './options';
import { printablePath } from './printable-text';

export interface ServeFlags extends EngineFlags {
  landing?: string;
  port?: number;
}

/** A commander parser for --port: 0 (any free port) to 65535; empty (`--port "$PORT"` with PORT unset) is unset, not 0. */
export function portNumber(raw: string): number | undefined {
  // commander stores '' for a parser's undefined: serveConfig reads a port that is not a number as unset.
  if (raw.trim() === '') return undefined;
  const value = wholeNumber(raw);
  // Commander's own usage error (usageErrorLine): exit 2, naming the command's --help as every flag's error does.
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new InvalidArgumentError(`--port takes a whole number from 0 to 65535; received ${JSON.stringify(raw)}`);
  return value;
}

export const serveConfig = (flags: ServeFlags): Config =>
  loadConfig({ ...engineOverrides(flags), landing: flags.landing, port: typeof flags.port === 'number' ? flags.port : undefined });

/** A server answering at `url`: one process, or a cluster of `config.workers`. */
export interface Serving {
  url: string;
  port: number;
  shutdown(): Promise<void>;
}

/**
 * Opens the engine, serves until SIGTERM/SIGINT, then drains and closes
 * everything; `announce` is told once it serves, unless a signal came first.
 * With more than one worker this process is the cluster's primary and serves
 * nothing itself; the server code loads only in the workers.
 */
export async function serve(config: Config, apiKeys: ApiKeys, opened?: Engine, announce: (running: Serving) => void = () => undefined): Promise<Serving> {
  const logger = createLogger(config.logLevel, undefined, config.workers > 1 ? { worker: 'primary' } : {}, config.colour);
  // A mistyped --lake served LAKE_NOT_BUILT while the only start-up line sent the operator to --landing.
  if (config.engine === 'duckdb' && !existsSync(config.lake)) {
    logger.warn({ lake: config.lake }, 'the lake folder does not exist: check --lake (or STEDI_LAKE), or run `stedi build` to create it; until then data requests answer LAKE_NOT_BUILT and /readyz 503');
  }
  // Handled from the start: a signal while the workers start waits for them and drains them; killed outright, the
  // primary left a worker still forking to die with Node's EPIPE stack trace on the terminal.
  let running: Serving | undefined;
  let unannounce = (): void => undefined;
  let starting: Promise<unknown> = Promise.resolve();
  let interrupted: NodeJS.Signals | undefined;
  const removeHandlers = onTerminationSignals(async (signal) => {
    interrupted = signal;
    await starting.catch(() => undefined);
    unannounce();
    await running?.shutdown();
    removeHandlers();
    // Everything is closed; if a stray handle still holds the loop, do not hang the terminal.
    setTimeout(() => process.exit(), 1_000).unref();
  }, logger);
  starting = start(config, apiKeys, logger, opened).then((started) => {
    running = started;
    // The image's health check reads where this server listens: `--port` and a picked port are in no setting it reads.
    unannounce = announceListening({ lake: config.lake, host: config.host, port: started.port });
  });
  try {
    await starting;
  } catch (error) {
    removeHandlers();
    // Ctrl+C in a terminal reaches the workers too: one killed by it while it started (seen before or after this
    // process's own signal) is the interrupt, not a failure.
    const signal = interrupted ?? (error as { signal?: string }).signal;
    if (signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGHUP') throw new CliError(`interrupted (${signal}) while the server started; nothing is served`, interruptedExitCode(signal));
    throw error;
  }
  // Said only while nothing has asked it to stop, in the same turn as that check: a signal that arrived as the
  // cluster finished starting had the line printed after "shutting down" (the handler awaits the same start).
  if (!interrupted) announce(running!);
  return running!;
}

async function start(config: Config, apiKeys: ApiKeys, logger: Logger, opened?: Engine): Promise<Serving> {
  // A cluster's primary reads only the manifest (a rebuild's default policy): DuckDB loads in the workers alone.
  const engine = opened ?? (await openConfiguredEngine(config, { lazy: config.workers > 1, logger }));
  try {
    if (config.workers > 1) {
      const { startCluster } = await import('../cluster/primary');
      return await startCluster({ config, engine, apiKeys, logger });
    }
    const { startServer } = await import('../http/server');
    const serving = await startServer({ config, engine, apiKeys, logger, processMetrics: true });
    logger.debug({ threads: lowerEngineThreads(config.engineThreadNice), nice: config.engineThreadNice }, 'engine threads lowered below the event loop');
    return serving;
  } catch (error) {
    if (config.workers <= 1) await engine.close();
    throw listenError(error, config) ?? error;
  }
}

/** A listen that failed for a reason the operator set: one line naming the setting. */
function listenError(error: unknown, config: Config): CliError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new CliError(`port ${config.port} is in use; pick another with --port or PORT`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new CliError(`HOST ${JSON.stringify(config.host)} is not an address of this machine (${code}); set HOST to one of its addresses, 0.0.0.0 for all or 127.0.0.1 for this machine only`);
  }
  if (code === 'EACCES') return new CliError(`port ${config.port} needs privileges this user lacks (EACCES); pick a port above 1023 with --port or PORT`);
  return undefined;
}

export async function keysOf(config: Config): Promise<ApiKeys> {
  try {
    return await loadApiKeys(config);
  } catch (error) {
    if (error instanceof ApiKeyError) throw new CliError(error.message);
    throw error;
  }
}

const EXAMPLES: Array<[string, string]> = [
  ['STEDI_API_KEYS="$ADMIN_KEY:admin,$ANALYST_KEY:analyst" stedi serve --lake ./lake', 'serve with your own keys'],
  ['STEDI_API_KEYS_FILE=/run/secrets/stedi-keys stedi serve --port 8080', 'keys from a file, another port'],
];

export function registerServe(cli: Command): void {
  addEngineFlags(withExamples(cli.command('serve'), EXAMPLES).description('serve the lake over GraphQL at /graphql (plus /export, /healthz, /readyz, /metrics)'))
    .option('--landing <dir>', 'landing folder the consent registry and rebuilds read (default: STEDI_LANDING, else the one the live version was built from, else the lake folder)')
    .option('--port <n>', 'port to listen on (default: PORT or 4000), at the address HOST (default 127.0.0.1: this machine only; 0.0.0.0: every network)', portNumber)
    .action(async (flags: ServeFlags) => {
      const config = engineConfig(flags, () => serveConfig(flags));
      const apiKeys = await keysOf(config);
      if (apiKeys.size === 0) {
        throw new CliError('no API keys are configured, so every request would be refused: set STEDI_API_KEYS="<key>:admin,<key>:analyst" or STEDI_API_KEYS_FILE (`npm start` makes session keys for a quick try)');
      }
      await serve(config, apiKeys, undefined, (running) => process.stdout.write(`Serving ${printablePath(config.lake)} at ${running.url}/graphql\n`));
    });
}

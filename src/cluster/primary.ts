import cluster, { type Worker } from 'node:cluster';
import type { Socket } from 'node:net';
import type { Engine } from '../../etl/engine/engine';
import type { ApiKeys } from '../auth/api-keys';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { freePort } from './free-port';
import { HeldConnections } from './held-connections';
import { SpareWorkers } from './spare-workers';
import { spareActions } from './spare-actions';
import { stopWorkers } from './stop-workers';
import { watchHandOffs } from './unaccepted-connections';
import { missedConnectionWarnings } from './missed-connections';
import { WorkerWatchdog } from './worker-watchdog';
import { replaceHungWorker } from './hung-worker';
import { workerEnv } from './worker-env';
import { RespawnBudget } from './respawn-budget';
import { workerEntry, workerSettings } from './worker-start';
import { type ToPrimary, type ToWorker, isStedi } from './messages';
import { serverUrl } from '../http/server-url';
import { listenReach } from '../http/listen-reach';
import { removeDeadExportFolders } from '../http/export-folders';
import { primaryServices } from './primary-services';

/**
 * `stedi serve` on every core: the primary forks `config.workers` servers
 * sharing one port (Node's cluster module hands each new connection to the
 * next worker) and holds what must be one per lake: the rebuild jobs (one
 * rebuild at a time, in a child process; whichever worker asks), the workers'
 * summed metrics, and shutdown. It serves no request itself. A worker that
 * dies is replaced. Before a rebuild publishes, every worker loads the new
 * version (`stage`); the publish (one manifest file every worker reads)
 * is still the one moment all of them switch.
 */

export interface RunningCluster {
  url: string;
  port: number;
  /** Pids of the workers now. */
  workerPids(): number[];
  shutdown(): Promise<void>;
}

export interface ClusterOptions {
  config: Config;
  apiKeys: ApiKeys;
  /** The primary's own engine: the live manifest for a rebuild's default policy. */
  engine: Engine;
  logger: Logger;
  /** How long a worker may take to drain before it is killed. */
  graceMs?: number;
}

/** Replacement forks allowed within RESPAWN_WINDOW_MS before the cluster gives up (a crash loop, not a stray kill). */
const MAX_RESPAWNS = 10;
const RESPAWN_WINDOW_MS = 60_000;

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const { config, logger } = options;
  const workers = new Set<Worker>();
  const ready = new Set<Worker>();
  let stopping = false;
  const respawns = new RespawnBudget(MAX_RESPAWNS, RESPAWN_WINDOW_MS);
  // The rebuild jobs, the version handover and the summed metrics (primary-services.ts).
  const { rebuilds, answers, answer } = primaryServices(options, workers, ready, () => held.release());

  // Each worker's share of the caches (worker-start.ts).
  const workerConfig = workerSettings(config);
  // PORT=0: one port picked here, so a replacement of the last worker listens where it did (free-port.ts).
  if (config.port === 0) workerConfig.port = await freePort(config.host);
  const { exec, execArgv } = workerEntry(config);
  cluster.setupPrimary({ exec, execArgv, serialization: 'advanced' });
  const env = workerEnv(config.workerMallocTrimKb);
  // While no worker listens after one died, the primary holds the port and what connects (held-connections.ts).
  const missedConnection = missedConnectionWarnings(logger);
  const held = new HeldConnections(workerConfig.port, config.host, (error) => logger.warn({ err: error }, 'the port could not be held while no worker listens'));

  // Workers started on demand (spare-workers.ts), and those asked to stop for want of requests: not replaced.
  const spareSet = new Set<Worker>();
  const retiring = new Set<Worker>();
  // The watchdog and the spares below call `fork` through an arrow: it is defined after them.
  // A worker that stops answering is killed: its exit replaces it, and the connections it never took go to another (unaccepted-connections.ts).
  const watchdog = new WorkerWatchdog<Worker>(
    config.workerHangMs,
    (worker) => worker.isConnected() && worker.send({ stedi: 'ping' } satisfies ToWorker),
    replaceHungWorker({ ready, spares: spareSet, retiring }, (spare) => fork(spare), () => rebuilds.onChange?.(), logger),
  );
  const spares = config.spareWorkerIdleMs > 0 && config.workers > 1
    ? new SpareWorkers(config.spareWorkerIdleMs, spareActions(config.workers, { workers, spares: spareSet, retiring }, (spare) => fork(spare), () => rebuilds.onChange?.(), logger), (error) => {
      // A spare still starting when the server is told to stop exits with it: that is the shutdown, not a failure.
      if (stopping) logger.info('a spare worker still starting stopped with the server');
      else logger.error({ err: error }, 'a spare worker failed to start');
    })
    : undefined;

  /** Forks one worker (a spare: started on demand); resolves with its port once it listens, rejects if it fails to start. */
  const fork = (spare = false): Promise<number> => {
    const worker = cluster.fork(env);
    // A message sent to a worker dying at that moment (the shutdown's, when Ctrl+C reached it too) fails with EPIPE:
    // its exit is handled below; unheard, the error was a stack trace on the terminal.
    worker.on('error', (error: Error) => logger.debug({ err: error, workerId: worker.id }, 'a message to an exiting worker was not delivered'));
    workers.add(worker);
    if (spare) spareSet.add(worker);
    // Connections handed to this worker that it never took (it died first) go to another worker, or wait for one.
    const rehome = (sockets: Socket[]): void => {
      if (sockets.length === 0) return;
      if (stopping) return sockets.forEach((socket) => socket.destroy());
      held.adopt(sockets);
      const target = [...ready].find((w) => w.isConnected() && !retiring.has(w));
      if (target) held.handTo(target);
      logger.warn({ workerId: worker.id, connections: sockets.length, handedTo: target?.id ?? null }, target ? 'connections a dead worker never took handed to another worker' : 'connections a dead worker never took held until a worker listens');
    };
    watchHandOffs(worker, rehome, (missed) => missedConnection(worker.id, missed));
    // Those the primary itself sent it (held, or a dead worker's): the target may have died unseen, with both killed at once.
    worker.process.once('close', () => rehome(held.reclaim(worker)));
    let served = false;
    const listening = new Promise<number>((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (!isStedi(message)) return;
        const m = message as ToPrimary;
        if (m.stedi === 'listening') {
          served = true;
          ready.add(worker);
          watchdog.watch(worker);
          const handed = held.handTo(worker);
          if (handed > 0) logger.info({ workerId: worker.id, connections: handed }, 'connections held while no worker listened handed over');
          resolve(m.port);
        }
        else if (m.stedi === 'failed') reject(Object.assign(new Error(m.message), { code: m.code }));
        else if (m.stedi === 'request') void answer(worker, m);
        else if (m.stedi === 'staged' || m.stedi === 'warmed' || m.stedi === 'replayed') answers.answered(worker, m);
        else if (m.stedi === 'busy') spares?.busy(m.start);
        else if (m.stedi === 'pong') watchdog.answered(worker);
        else if (m.stedi === 'took') held.taken(worker, m.id);
        // A page to read ahead goes to the other worker (only a cluster of two hints: page-hints.ts).
        else if (m.stedi === 'readAhead') for (const other of workers) if (other !== worker && other.isConnected()) other.send(m);
      });
      // The signal travels with the error: a Ctrl+C that reached the worker too is the caller's interrupt, not a failure.
      worker.once('exit', (code, signal) => reject(Object.assign(new Error(`worker ${worker.id} exited (${signal ?? code}) before listening`), { signal })));
    });
    worker.once('online', () => worker.send({ stedi: 'start', config: workerConfig, keys: options.apiKeys.digests() } satisfies ToWorker));
    worker.once('exit', (code, signal) => {
      // Its half-written export, if it was killed mid-write: a hung worker's replacement started (and looked) before it died.
      removeDeadExportFolders();
      workers.delete(worker);
      ready.delete(worker);
      watchdog.forget(worker);
      spareSet.delete(worker);
      answers.answered(worker);
      // One that never served failed to start: that is reported to whoever started it, not retried; a retired spare is not replaced.
      if (retiring.delete(worker) || stopping || !served) return;
      if (ready.size === 0) void held.hold().then((holding) => holding && logger.info({ port: workerConfig.port }, 'no worker listens: the port is held until one does'));
      logger.error({ workerId: worker.id, pid: worker.process.pid, code, signal }, 'a worker exited; starting another');
      if (respawns.exceeded()) {
        logger.fatal({ respawns: respawns.count, windowMs: RESPAWN_WINDOW_MS }, 'workers keep exiting; stopping the server');
        void shutdown().then(() => process.exit(1));
        return;
      }
      fork(spare).then(
        () => {
          // The new worker knows the jobs from the start.
          rebuilds.onChange?.();
        },
        (error: unknown) => {
          logger.error({ err: error }, 'a replacement worker failed to start');
          // None will listen: the connections held for it are closed rather than left waiting.
          if (ready.size === 0) held.close();
        },
      );
    });
    return listening;
  };

  let stopped: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopped ??= (async () => {
      stopping = true;
      // Refused from the first moment: a rebuild asked for by a request still draining started a build the primary
      // then waited for (minutes at scale). The admin is told ENGINE_BUSY (ShuttingDownError).
      const rebuildsClosed = rebuilds.close();
      spares?.close();
      watchdog.close();
      held.close();
      await stopWorkers(workers, options.graceMs ?? 10_000);
      // A rebuild is never cut off half way: it publishes or fails before the primary exits.
      await rebuildsClosed;
      await options.engine.close();
    })());

  let port: number;
  try {
    [port] = await Promise.all(Array.from({ length: spares ? 1 : config.workers }, () => fork()));
  } catch (error) {
    await shutdown();
    throw error;
  }
  rebuilds.onChange?.();
  logger.info({ port, host: config.host, reach: listenReach(config.host), lake: config.lake, workers: config.workers }, 'listening');
  return {
    url: serverUrl(config.host, port!),
    port: port!,
    workerPids: () => [...workers].map((w) => w.process.pid as number),
    shutdown,
  };
}

import 'reflect-metadata';
// First: it notes the threads the process starts with, before any engine starts its own (engine-threads.ts).
import { lowerEngineThreads } from '../engine-threads';
import cluster from 'node:cluster';
import { Socket } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { ApiKeys } from '../auth/api-keys';
import { openConfiguredEngine } from '../engine';
import { startServer, type RunningServer } from '../http/server';
import { onTerminationSignals } from '../http/shutdown';
import { createLogger } from '../logger';
import { readHintedPage } from '../graphql/page-hints';
import { readAheadOf } from '../graphql/read-ahead-store';
import { afterPublish } from '../services';
import { stageVersion, warmVersion } from '../rebuild/version-staging';
import { replayLogged } from '../http/answer-replay';
import { mergeAsks } from '../http/recent-asks';
import type { ToWorker } from './messages';
import { PrimaryChannel } from './primary-channel';
import { RemoteRebuilds } from './remote-rebuilds';
import { LoadSignal } from './load-signal';
import { busyEvery } from './spare-workers';

/** A worker asks for the spares at most this often (the primary needs it once to start them). */
const START_REPORT_MS = 1_000;

/**
 * One worker of `stedi serve`'s cluster: a whole server (engine, consent
 * registry, caches) on the shared port, whose rebuilds are its primary's and
 * whose /metrics are every worker's. Started by the primary's `start` message.
 */

const primary = new PrimaryChannel();
// Node's own cluster messages (listening, queryServer) are sent without a callback: to a primary killed meanwhile
// (kill -9) each failed send became an 'error' on this worker, unhandled, and its stack trace on stderr. The worker
// exits as the channel closes (Node's cluster does that on 'disconnect'); any other channel error is one line.
cluster.worker?.on('error', (error: NodeJS.ErrnoException) => {
  if (!['EPIPE', 'ECONNRESET', 'ERR_IPC_CHANNEL_CLOSED'].includes(error.code ?? '')) process.stderr.write(`stedi: worker ${process.pid}: its channel to the primary failed: ${error.message}\n`);
});
// The primary may ask a worker still starting to stop (a replacement forked just before shutdown): it stops once started.
let shutdownAsked = false;
primary.on('shutdown', () => void (shutdownAsked = true));
// Its event loop turns: the primary kills a worker that stops answering (worker-watchdog.ts).
primary.on('ping', () => primary.send({ stedi: 'pong' }));
// Made for its side effect: it answers the primary's metrics requests with this worker's registry (set below).
new AggregatorRegistry();

async function start({ config, keys }: Extract<ToWorker, { stedi: 'start' }>): Promise<void> {
  const logger = createLogger(config.logLevel, undefined, { worker: cluster.worker?.id }, config.colour);
  const engine = await openConfiguredEngine(config, { logger });
  // With spare workers (STEDI_SPARE_WORKER_IDLE_MS) the primary starts them on a request for data or load, and stops them
  // after a quiet spell: a worker reports the requests it serves (rarely: they keep the spares running), and at once (at
  // most once a START_REPORT_MS) a request for data (data-requests.ts) or load (load-signal.ts). Timed on the monotonic
  // clock: a wall clock stepped back an hour silenced both reports for that hour, and the spares stopped under load.
  let reported = -Infinity;
  let startReported = -Infinity;
  const wantSpares = (): void => {
    const now = performance.now();
    if (now - startReported < START_REPORT_MS) return;
    startReported = reported = now;
    primary.send({ stedi: 'busy', start: true });
  };
  const load = new LoadSignal(wantSpares);
  const served = config.spareWorkerIdleMs > 0
    ? {
      begin: (connection: object) => {
        load.begin(connection);
        const now = performance.now();
        if (now - reported < busyEvery(config.spareWorkerIdleMs)) return;
        reported = now;
        primary.send({ stedi: 'busy', start: false });
      },
      end: () => load.end(),
      data: wantSpares,
    }
    : undefined;
  let running: RunningServer;
  try {
    running = await startServer({
      config,
      engine,
      apiKeys: ApiKeys.fromDigests(keys),
      logger,
      // Per worker: summed, a process's memory or open-file limit described no process.
      processMetrics: { labels: { worker: String(cluster.worker?.id ?? process.pid) } },
      rebuilds: new RemoteRebuilds(primary),
      metricsText: async () => (await primary.request({ what: 'metrics' })) as string,
      served,
      beforeListen: async () => void (await primary.request({ what: 'listen' })),
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  AggregatorRegistry.setRegistries([running.app.metrics.registry]);
  logger.debug({ threads: lowerEngineThreads(config.engineThreadNice), nice: config.engineThreadNice }, 'engine threads lowered below the event loop');
  // Two workers share a client's pages in turn: each reads ahead the page the other hints at (page-hints.ts).
  if (config.workers === 2) {
    readAheadOf(running.services).relay = (page) => primary.send({ stedi: 'readAhead', page });
    primary.on('readAhead', ({ page }) => void readHintedPage(running.services, page).catch((error: unknown) => logger.debug({ err: error }, 'a page hinted at was not read ahead')));
  }
  primary.on('stage', ({ version }) => {
    running.idle.activity();
    stageVersion(running.services, version)
      .catch((error: unknown) => void logger.warn({ err: error, version: version.version }, 'loading a version about to be published failed; readers will load it on first use'))
      .then((reads) => {
        running.idle.collectYoung();
        primary.send({ stedi: 'staged', version: version.version, reads: reads ?? [], asks: running.services.answers?.recent() ?? [] });
      });
  });
  primary.on('warm', ({ version, reads }) => {
    running.idle.activity();
    warmVersion(running.services, version, reads)
      .then((warmed) => logger.info({ version, warmed, offered: reads.length }, 'recent reads read again on the version about to be published'))
      .catch((error: unknown) => void logger.warn({ err: error, version }, 'reading recent reads again on a version about to be published failed'))
      .finally(() => {
        running.idle.collectYoung();
        primary.send({ stedi: 'warmed', version });
      });
  });
  primary.on('rebalance', () => running.rebalance());
  // Connections the primary accepted while no worker listened (held-connections.ts): served as if accepted here.
  process.on('message', (message: unknown, handle: unknown) => {
    const sent = message as Extract<ToWorker, { stedi: 'connection' }> | undefined;
    if (sent?.stedi !== 'connection' || !(handle instanceof Socket)) return;
    // As a socket the server accepted itself: one passed between processes would end its side at the client's FIN.
    handle.allowHalfOpen = true;
    running.server.emit('connection', handle);
    primary.send({ stedi: 'took', id: sent.id });
  });
  primary.on('published', ({ version, asks }) => {
    running.idle.activity();
    const { answers, engine, consent } = running.services;
    afterPublish(engine, consent, version)
      .catch((error: unknown) => logger.warn({ err: error, version }, 'warming the new version failed; readers will load it on first use'))
      // Every worker's recent answers (offered at staging), and this one's own since.
      .then(() => replayLogged(answers, mergeAsks(asks, answers?.recent() ?? []), logger))
      .catch((error: unknown) => logger.warn({ err: error, version }, 'making recent answers again on the new version failed'))
      .finally(() => primary.send({ stedi: 'replayed', version }));
  });
  const stop = async (): Promise<void> => {
    logger.info('shutting down: finishing in-flight requests');
    await running.shutdown();
    logger.info('shut down cleanly');
    process.exit(0);
  };
  primary.on('shutdown', () => void stop());
  if (shutdownAsked) return void stop();
  // A signal to the whole process group (Ctrl-C) reaches the workers too: each drains, the primary waits.
  onTerminationSignals(() => running.shutdown().then(() => process.exit(0)), logger);
  primary.send({ stedi: 'listening', port: running.port });
}

process.on('message', (message: unknown) => {
  if ((message as ToWorker | undefined)?.stedi !== 'start') return;
  start(message as Extract<ToWorker, { stedi: 'start' }>).catch((error: unknown) => {
    primary.send({ stedi: 'failed', code: (error as NodeJS.ErrnoException).code, message: (error as Error).stack ?? String(error) });
    setTimeout(() => process.exit(1), 100).unref();
  });
});

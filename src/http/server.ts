import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Engine } from '../../etl/engine/engine';
import type { ApiKeys } from '../auth/api-keys';
import type { Config } from '../config';
import { IdleCollection } from '../idle-collection';
import type { Logger } from '../logger';
import type { BuildRunner, Rebuilds } from '../rebuild/rebuilds';
import { closeServices, createServices, type Services } from '../services';
import { createApp, type StediApp } from './app';
import { createHttpServer } from './http-server';
import { IdleConnections } from './idle-connections';
import { limitHeapGrowth } from './heap-growth';
import { ServerMetrics } from './metrics';
import { closeHttpServer, DEFAULT_GRACE_MS } from './shutdown';
import { serverUrl } from './server-url';
import { limitUnfinishedHeaders } from './unfinished-headers';
import { listenReach } from './listen-reach';
import { whenClosed } from './response-closed';

/**
 * A listening server over an open engine: instruments the engine, creates the
 * services and the app, listens on config.host:config.port. `shutdown()`
 * drains and closes everything, the engine last.
 */

/** Paths a load balancer or scraper polls every few seconds (see IdleCollection.begin). */
const PROBES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export interface RunningServer {
  server: Server;
  app: StediApp;
  services: Services;
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  /** Told of activity besides requests (a cluster worker staging a version). */
  idle: IdleCollection;
  /** Each connection open now closes after its next answer (`Connection: close`): its client's next one may reach another worker. */
  rebalance(): void;
  shutdown(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  engine: Engine;
  apiKeys: ApiKeys;
  logger: Logger;
  /** Node's process metrics, labelled as given (a cluster's worker: its id). */
  processMetrics?: boolean | { labels: Record<string, string> };
  graceMs?: number;
  /** A cluster worker's: the primary's rebuild jobs, and /metrics summed over every worker. */
  rebuilds?: Rebuilds;
  /** How this server's own rebuilds run (tests); by default as RebuildJobs chooses. */
  buildRunner?: BuildRunner;
  metricsText?: (metrics: ServerMetrics) => Promise<string>;
  /**
   * Told of each request that is not a probe as it begins and ends, and of each that asks the lake for something
   * (`data`, data-requests.ts): a cluster worker reports that it serves, its load, and requests for data.
   */
  served?: { begin(connection: Socket): void; end(): void; data(): void };
  /** Awaited just before the server binds its port (a cluster worker: its primary may hold the port meanwhile). */
  beforeListen?: () => Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, logger } = options;
  limitHeapGrowth(config.heapGrowingPercent);
  const metrics = new ServerMetrics({ processMetrics: options.processMetrics });
  const engine = metrics.instrumentEngine(options.engine);
  const services = await createServices(config, engine, logger, { rebuilds: options.rebuilds, buildRunner: options.buildRunner });
  let app: StediApp;
  try {
    app = await createApp({ services, apiKeys: options.apiKeys, metrics, metricsText: options.metricsText, onDataRequest: options.served?.data });
  } catch (error) {
    await closeServices(services);
    throw error;
  }
  const server = createHttpServer(app.app);
  // Start-up's garbage goes once the process is quiet: never while a request is under way, and each starts the quiet spell again.
  const idle = new IdleCollection(config.idleCollectionMs).start();
  const open = new Set<Socket>();
  const closing = new WeakSet<Socket>();
  // Connections past the cap are closed as they arrive: descriptors stay free for the lake's files and consent's reads.
  // Counted here, not with server.maxConnections: a cluster worker at that cap declines the connection, and the
  // primary hands it to a worker again at once, for ever: a core spun and the connection hung, unanswered and unclosed.
  let droppedAt = -Infinity;
  const idleConnections = new IdleConnections(server);
  server.on('connection', (socket: Socket) => {
    // At the cap, the connection idle longest (over a second) makes room; only when none has is the new one closed.
    if (open.size >= config.maxConnections && !idleConnections.closeOldest()) {
      socket.destroy();
      // Once a minute at most: a flood of connections must not become a flood of log lines (the monotonic minute: a
      // wall clock stepped back an hour silenced it for that hour).
      if (performance.now() - droppedAt < 60_000) return;
      droppedAt = performance.now();
      logger.warn({ maxConnections: config.maxConnections }, 'connection refused: this process holds STEDI_MAX_CONNECTIONS connections');
      return;
    }
    open.add(socket);
    idleConnections.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  let slowHeadersAt = -Infinity;
  limitUnfinishedHeaders(server, config.unfinishedHeaderBytes, (refused) => {
    metrics.slowHeadersRefused.inc(refused);
    if (performance.now() - slowHeadersAt < 60_000) return;
    slowHeadersAt = performance.now();
    logger.warn({ refused, unfinishedHeaderBytes: config.unfinishedHeaderBytes }, 'connections refused 408: their headers kept arriving slowly while unfinished requests held more than STEDI_UNFINISHED_HEADER_BYTES');
  });
  // Before the app's own listener: an answer the app sends at once (a 404, a 405, a 401) has its headers out when it
  // returns, and setting Connection on it then threw, killing the worker and every request it was serving.
  server.prependListener('request', (req, res) => {
    // A probe is activity, but holds no request path's optimised code for a collection to throw away.
    const served = !PROBES.has(req.url?.split('?')[0] ?? '');
    idle.begin(served);
    if (served) options.served?.begin(req.socket);
    whenClosed(res, () => {
      idle.end(served);
      if (served) options.served?.end();
    });
    // Closed after this answer, never while idle: a client may be sending on an idle connection (rebalance).
    if (closing.delete(req.socket)) res.setHeader('Connection', 'close');
  });
  const rebalance = (): void => {
    for (const socket of open) closing.add(socket);
  };
  // Slow clients must not hold connections forever; keep-alive outlives typical client pools' idle time.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // A whole request (a body is at most STEDI_BODY_LIMIT) arrives within 2 minutes, never less than its headers' limit;
  // Node's default let a drip-fed body hold a connection for 5.
  server.requestTimeout = 120_000;
  await options.beforeListen?.();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (stopping ??= (async () => {
      idle.stop();
      app.startDraining();
      // Refused from the first moment (ENGINE_BUSY): a rebuild asked for by a request still draining started a build
      // the shutdown then waited for. closeServices waits for one already running.
      void services.rebuilds.close();
      const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
      // Said here once; each export it cuts says so too, before the shutdown ends (export.ts, exports-in-flight.ts).
      const cut = (): void => {
        logger.warn({ graceMs }, 'shutdown grace over: cutting the connections still busy (a long export or a slow client gets its answer short, and should ask again)');
        app.graceOver();
      };
      await closeHttpServer(server, graceMs, cut);
      await app.stop();
      await closeServices(services);
      await options.engine.close();
    })());
  logger.info({ port, host: config.host, reach: listenReach(config.host), lake: config.lake }, 'listening');
  return { server, app, services, url: serverUrl(config.host, port), port, idle, rebalance, shutdown };
}

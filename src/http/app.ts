import { expressMiddleware } from '@as-integrations/express5';
import type { ApolloServer } from '@apollo/server';
import express, { type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { ApiKeys } from '../auth/api-keys';
import { createContext, type GraphqlContext } from '../graphql/context';
import { buildGraphqlSchema } from '../graphql/schema';
import type { Services } from '../services';
import { createApolloServer } from './apollo';
import { authenticate } from './authenticate';
import { admitBody, boundUnreadBody, limitArrivingBodies, refuseUnmetExpectation } from './body-admission';
import { watchClientGone, goneSignalOf } from './client-gone';
import { cors } from './cors';
import { errorHandler, refuseEmptyJsonBody } from './body-errors';
import { EXPORT_PATH, EXPORT_STALL_MS, exportRoutes } from './export';
import { ExportsInFlight } from './exports-in-flight';
import { healthRoutes } from './health';
import { refuseDroppedHeaders } from './header-count';
import { refuseLargeHeaders } from './header-size';
import { requireHost } from './host-header';
import { requireHttp1 } from './http-version';
import { ideHandler } from './ide';
import { answerReplay } from './answer-replay';
import { keptAnswers } from './kept-answers';
import { KeyConcurrency, keyConcurrencyMiddleware } from './key-concurrency';
import { KeyTurns } from './key-turns';
import { RowsInFlight } from './rows-in-flight';
import { lakePageHandler } from './lake-page';
import { parseOptionsOf } from './limits';
import { ServerMetrics } from './metrics';
import { noSniff } from './no-sniff';
import { noStore } from './no-store';
import { oneLayer } from './one-layer';
import { refuseUnparsable } from './parse-refusals';
import { onePerConnection } from './pipelined-requests';
import { principalOf, requestContext, requestIdOf } from './request-context';
import { responseCacheFor } from './response-cache';
import { jsonBody } from './json-body';
import { requireShallowJson } from './json-depth';
import { apiHeadAsGet, routeMethods } from './route-methods';
import { sentAsBytes } from './sent-as-bytes';
import { refuseTransferCodings } from './transfer-coding';
import { cutStalledAnswers } from './stalled-answers';
import { answerUpgradeRequests } from './upgrade-requests';
import { onlyMountPath, unknownRoute } from './unknown-route';
import { UnknownKeyWarnings } from './unknown-key-warnings';
import { RepeatedLines } from './repeated-lines';
import { requireUtf8Body, requireUtf8Query } from './utf8-input';
import { WEB_PATH, webAssets } from './web-assets';

/**
 * The HTTP app: /graphql (Apollo, bearer auth, the GraphiQL IDE on GET from a
 * browser), / (the lake page for a browser), /web (the pages' bundled files),
 * /export/machine_learning_curated (bearer auth), /healthz, /readyz and
 * /metrics (no key). It does not listen; server.ts does.
 */

export interface AppOptions {
  services: Services;
  apiKeys: ApiKeys;
  /** Pass the metrics whose `instrumentEngine` wrapped the services' engine; a new one otherwise. */
  metrics?: ServerMetrics;
  /** The schema, when the caller has it already (it is built once per process otherwise). */
  schema?: GraphQLSchema;
  /** The /metrics text, when not this process's own registry alone (a cluster worker asks its primary for every worker's). */
  metricsText?: (metrics: ServerMetrics) => Promise<string>;
  /** Where exports are written before they are streamed (default: the OS temp folder). */
  exportDir?: string;
  /** How long an export waits for a client that stopped reading (default EXPORT_STALL_MS). */
  exportStallMs?: number;
  /** How long any other answer waits for a client that stopped reading it (default EXPORT_STALL_MS, as exports). */
  answerStallMs?: number;
  /** Called as each request that asks the lake for something begins (data-requests.ts: not introspection, pages, probes). */
  onDataRequest?: () => void;
  /** false: documents over the token limit are refused by Apollo too, not before it (parse-refusals.ts; tests compare the two). */
  refuseUnparsableFirst?: boolean;
}

export interface StediApp {
  app: Express;
  apollo: ApolloServer<GraphqlContext>;
  metrics: ServerMetrics;
  /** Requests for data each API key runs and has waiting now (key-concurrency.ts). */
  keyLimit: KeyConcurrency;
  /** GraphQL requests each API key has waiting for its turn now (key-turns.ts). */
  keyTurns: KeyTurns;
  /** Rows the GraphQL requests of every key are being answered now (rows-in-flight.ts). */
  rowsInFlight: RowsInFlight;
  /** From now on /readyz answers 503 and responses close their connections. */
  startDraining(): void;
  isDraining(): boolean;
  /** The shutdown grace is over: the answers still going out are cut by the server, and an export logs it so. */
  graceOver(): void;
  /** Stops Apollo; the caller closes the HTTP server first and the services and engine after. */
  stop(): Promise<void>;
}

export async function createApp(options: AppOptions): Promise<StediApp> {
  const { services, apiKeys } = options;
  const metrics = options.metrics ?? new ServerMetrics();
  const schema = options.schema ?? (await buildGraphqlSchema());
  const responses = responseCacheFor(services.config);
  // One limit per key for GraphQL and exports together (key-concurrency.ts).
  const keyLimit = new KeyConcurrency(services.config.keyConcurrency, services.config.keyQueue, services.config.keyQueueMs, (route, reason) => metrics.keyConcurrencyRefusals.inc({ route, reason }));
  // A key's bodies arriving at once: as many as its requests for data may run and wait (0: no limit).
  const bodyPlaces = services.config.keyConcurrency === 0 ? 0 : services.config.keyConcurrency + services.config.keyQueue;
  // A key's GraphQL requests begin one an event-loop turn, refused documents and introspection too (key-turns.ts).
  const keyTurns = new KeyTurns(bodyPlaces, services.config.keyQueueMs, (reason) => metrics.keyConcurrencyRefusals.inc({ route: 'graphql', reason }));
  const rowsInFlight = new RowsInFlight(services.config.limits.maxRowsInFlight, () => metrics.rowsInFlightRefusals.inc());
  metrics.watchRowsInFlight(rowsInFlight);
  const apollo = await createApolloServer(schema, services.config, metrics, services.logger, responses, options.onDataRequest, keyLimit, rowsInFlight);
  // After a rebuild, the answers last given are made again on the new version (answer-replay.ts); not on an engine
  // that reads where a version is stored (Athena: each would be a billed query), as its reads are not warmed either.
  if (responses && services.engine.stageVersion) services.answers = answerReplay(apollo, services, responses);
  metrics.watchLake(services.engine, services.rebuilds, services.consent);
  metrics.watchConsent(services.consent, services.erasure);
  let draining = false;
  let stopped = false;
  const exportsInFlight = new ExportsInFlight();
  // One count for both routes: a client guessing keys is warned of once, then counted (unknown-key-warnings.ts).
  const unknownKeys = new UnknownKeyWarnings(services.logger);
  // The access lines of requests refused 401, aggregated by why (repeated-lines.ts).
  const refusedAccess = new RepeatedLines();

  const app = express();
  app.disable('x-powered-by');
  // No ETag: it hashed every answer (SHA-1 over a 650 KB page), and no client revalidates a POSTed query.
  app.set('etag', false);
  // Every request passes these, in this order, as one layer (one-layer.ts: a layer each cost the router's work per request).
  app.use(
    oneLayer(
      // Before anything can answer: no answer of this server may be kept by an HTTP cache (no-store.ts).
      noStore,
      noSniff,
      boundUnreadBody(services.config.bodyLimit),
      requestContext(services.logger, refusedAccess),
      metrics.httpMiddleware(),
      onePerConnection,
      // Once the request runs (a pipelined one waits above): its work stops if its client goes.
      watchClientGone,
      cutStalledAnswers(options.answerStallMs ?? EXPORT_STALL_MS),
      cors(services.config.corsOrigins),
      (_req, res, next) => {
        if (draining) res.setHeader('Connection', 'close');
        next();
      },
      requireHttp1,
      requireHost,
      refuseDroppedHeaders,
      refuseLargeHeaders,
      refuseUnmetExpectation,
      refuseTransferCodings,
      answerUpgradeRequests,
      // Before every route's handler and key check: one rule for a method a route does not take.
      routeMethods,
    ),
  );
  // First of the routes: nearly every request is a query, and each route before it is a match tried per request.
  app.use(
    '/graphql',
    oneLayer(
      onlyMountPath,
      ideHandler,
      authenticate(apiKeys, unknownKeys),
      requireUtf8Query,
      limitArrivingBodies(bodyPlaces, () => metrics.keyConcurrencyRefusals.inc({ route: 'graphql', reason: 'bodies_arriving' })),
      admitBody(services.config.bodyLimit),
      jsonBody({
        limit: services.config.bodyLimit,
        verify: (req, res, body) => {
          requireUtf8Body(req, res, body);
          requireShallowJson(req, res, body);
        },
      }),
      refuseEmptyJsonBody,
      (req, _res, next) => {
        // Express 5 leaves req.body unset on GET; Apollo's integration insists on it.
        if (!('body' in req) || req.body === undefined) req.body = {};
        next();
      },
      keyTurns.handler,
      ...(options.refuseUnparsableFirst === false ? [] : [refuseUnparsable(parseOptionsOf(services.config.limits), metrics, () => stopped)]),
      ...(responses ? [keptAnswers(responses, services, metrics, options.onDataRequest)] : []),
      sentAsBytes,
      apiHeadAsGet(
        expressMiddleware(apollo, {
          context: async ({ res }) => createContext(services, principalOf(res) ?? null, requestIdOf(res), goneSignalOf(res), res),
        }),
      ),
    ),
  );
  app.get('/', lakePageHandler, (_req, res) => res.redirect('graphql'));
  app.use(WEB_PATH, webAssets());
  app.use(healthRoutes(services, () => draining));
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await (options.metricsText?.(metrics) ?? metrics.registry.metrics()));
  });
  app.use(EXPORT_PATH, authenticate(apiKeys, unknownKeys), requireUtf8Query, keyConcurrencyMiddleware(keyLimit), (_req, _res, next) => {
    options.onDataRequest?.();
    next();
  });
  app.use(exportRoutes(services, metrics, options.exportDir ? () => options.exportDir! : undefined, options.exportStallMs, exportsInFlight));
  app.use(unknownRoute);
  app.use(errorHandler(services.config.bodyLimit));

  return {
    app,
    apollo,
    metrics,
    keyLimit,
    keyTurns,
    rowsInFlight,
    startDraining: () => void (draining = true),
    isDraining: () => draining,
    graceOver: () => exportsInFlight.graceOver(),
    stop: async () => {
      stopped = true;
      // The exports the grace cut say so before the process may exit (a cluster worker exits once this returns).
      await exportsInFlight.settled();
      // A replay goes on past the rebuild that waited for it: it would run on after the engine closes.
      await services.answers?.stop();
      await apollo.stop();
      // The counts of lines aggregated and not yet logged: their timers are unref'd, and the process exits next.
      unknownKeys.close();
      refusedAccess.flush();
    },
  };
}

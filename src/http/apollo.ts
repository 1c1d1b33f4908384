import { ApolloServer, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GraphqlContext } from '../graphql/context';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { dataRequestPlugin } from './data-requests';
import { repeatedErrorsPlugin } from './repeated-errors';
import { DocumentStore } from './document-store';
import { formatError } from './format-error';
import { jitGateway } from './jit-executor';
import { type KeyConcurrency, keyConcurrencyPlugin } from './key-concurrency';
import { noDataNot2xxPlugin } from './no-data-status';
import { noStorePlugin } from './no-store';
import { onePlugin, type RequestPlugin } from './one-plugin';
import { PersistedQueriesByKey } from './persisted-queries';
import { graphqlLimits } from './limits';
import { COST_BYTES_PER_DOCUMENT } from './operation-costs';
import type { ServerMetrics } from './metrics';
import type { RowsInFlight } from './rows-in-flight';
import { currentRequest } from './request-context';
import { type ResponseCache, responseCachePlugin, stringifyResult } from './response-cache';

/**
 * The Apollo Server behind /graphql: our error formatting, no stack traces,
 * every limit of limits.ts, metrics, and no landing page (its default one
 * loads from a CDN; the offline IDE is served instead, see ide.ts).
 */
export async function createApolloServer(
  schema: GraphQLSchema,
  config: Config,
  metrics: ServerMetrics,
  logger: Logger,
  /** Whole answers kept (response-cache.ts); null: none. */
  responses: ResponseCache | null = null,
  /** Called as each operation that asks for data runs (data-requests.ts). */
  onDataRequest?: () => void,
  /** Requests for data each API key may run at once (key-concurrency.ts); none: no limit. */
  keyLimit?: KeyConcurrency,
  /** Rows every key's requests may be answering at once (rows-in-flight.ts); none: no bound. */
  rowsInFlight?: RowsInFlight,
): Promise<ApolloServer<GraphqlContext>> {
  const limits = graphqlLimits(config.limits);
  const documents = config.limits.documentCacheBytes > 0 ? new DocumentStore(config.limits.documentCacheBytes, COST_BYTES_PER_DOCUMENT) : null;
  const server = new ApolloServer<GraphqlContext>({
    // Same schema, executed by graphql-jit where that is safe (see jit-executor.ts).
    gateway: jitGateway(schema, { cacheBytes: config.limits.jitCacheBytes, maxFields: config.limits.jitMaxFields, minUses: config.limits.jitMinUses }),
    formatError,
    // Writes a kept answer's text as kept (response-cache.ts); every other answer as Apollo's default does.
    stringifyResult,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Apollo's two headers plus Authorization: it forces a browser's preflight as they do and cookies are never
    // used, so a form on another site sends no key; urql's default GET (a key, no Apollo header) is answered.
    csrfPrevention: { requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'authorization'] },
    introspection: true,
    // The HTTP server's shutdown (shutdown.ts) stops Apollo; it must not install its own signal handlers.
    stopOnTerminationSignals: false,
    logger: logger.child({ component: 'apollo' }),
    validationRules: limits.validationRules,
    // graphql-js validates on to 100 errors, each unknown field weighed against every field for a suggestion.
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    parseOptions: limits.parseOptions,
    // Parsed and validated documents by text, bounded by estimated heap bytes (Apollo's own bound counts JSON text).
    documentStore: documents,
    // APQ texts kept per API key: one cache for all told a key which texts another had registered.
    persistedQueries: { cache: new PersistedQueriesByKey() },
    plugins: [
      ...DISABLED_DEFAULTS.map((disabled) => disabled()),
      // In this order, as one plugin (one-plugin.ts: Apollo waits on a promise a plugin a step).
      onePlugin<GraphqlContext>(
        operationNamePlugin,
        limits.plugin,
        ...(keyLimit || rowsInFlight ? [keyConcurrencyPlugin(keyLimit, rowsInFlight)] : []),
        metrics.apolloPlugin(),
        repeatedErrorsPlugin,
        ...(responses ? [responseCachePlugin(responses)] : []),
        ...(onDataRequest ? [dataRequestPlugin(onDataRequest)] : []),
        noDataNot2xxPlugin,
        noStorePlugin,
      ),
    ],
  });
  await server.start();
  if (documents) documentStores.set(server, documents);
  return server;
}

/**
 * Validation errors a document is answered with at most (graphql-js adds one saying it stopped): a 2 KB document of
 * 300 unknown fields was validated on to 100 errors, and 64 of them at once from one key (refused before the key's
 * concurrency is counted) held another key's small query 2.2 s at p50; 1.0 s at 10, the worker answering 55% more.
 */
export const MAX_VALIDATION_ERRORS = 10;

const documentStores = new WeakMap<ApolloServer<GraphqlContext>, DocumentStore>();

/** The cache of parsed documents a server keeps (for tests and diagnostics); undefined when it keeps none. */
export const documentStoreOf = (server: ApolloServer<GraphqlContext>): DocumentStore | undefined => documentStores.get(server);

/**
 * Apollo's default cache-control plugin hooks every field resolver (it wraps
 * the whole schema), which halves the rate of wide pages; we set no cache
 * hints, so it goes. Reporting to Apollo's cloud could send operation data
 * off the machine; it is off whatever APOLLO_KEY says.
 */
const DISABLED_DEFAULTS = [
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginUsageReportingDisabled,
  ApolloServerPluginSchemaReportingDisabled,
];

/** Puts the operation name on the request's log line. */
const operationNamePlugin: RequestPlugin<BaseContext> = {
  requestDidStart() {
    return {
      didResolveOperation({ operationName }) {
        const request = currentRequest();
        if (request) request.operation = operationName ?? undefined;
      },
    };
  },
};

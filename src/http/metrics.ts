import type { BaseContext } from '@apollo/server';
import type { RequestPlugin } from './one-plugin';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Engine } from '../../etl/engine/engine';
import type { ConsentRegistry } from '../consent/consent-registry';
import type { Erasure } from '../rebuild/erasure';
import type { Rebuilds } from '../rebuild/rebuilds';
import { registerConsentGauges, registerLakeGauges } from './lake-gauges';
import { requestPath, routeSpelling } from './request-path';
import { whenClosed } from './response-closed';

/**
 * Prometheus metrics of one server: HTTP requests, GraphQL operations by name,
 * engine query time (through `instrumentEngine`) and the lake's build state.
 * Each app has its own registry, so several apps in one process (tests) never clash.
 */

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/export/machine_learning_curated']);
// Operation names come from clients: only plausible names, and a bounded number of them, become labels.
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_OPERATION_LABELS = 200;
const UNCONVENTIONAL_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  private readonly httpRequests = new Counter({ name: 'stedi_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'], registers: [this.registry] });
  private readonly httpDuration = new Histogram({ name: 'stedi_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['route'], buckets: SECONDS, registers: [this.registry] });
  private readonly graphqlOperations = new Counter({ name: 'stedi_graphql_operations_total', help: 'GraphQL operations by name, type and outcome', labelNames: ['operation', 'type', 'outcome'], registers: [this.registry] });
  private readonly graphqlDuration = new Histogram({ name: 'stedi_graphql_operation_duration_seconds', help: 'GraphQL operation latency by name', labelNames: ['operation', 'type'], buckets: SECONDS, registers: [this.registry] });
  private readonly engineDuration = new Histogram({ name: 'stedi_engine_query_duration_seconds', help: 'Engine query time by method and outcome', labelNames: ['method', 'outcome'], buckets: SECONDS, registers: [this.registry] });
  readonly keyConcurrencyRefusals = new Counter({ name: 'stedi_key_concurrency_refusals_total', help: 'Requests for data refused with 429 because their API key had STEDI_KEY_CONCURRENCY running, by route and reason (queue_full, waited; bodies_arriving: too many of its request bodies arriving at once)', labelNames: ['route', 'reason'], registers: [this.registry] });
  readonly rowsInFlightRefusals = new Counter({ name: 'stedi_rows_in_flight_refusals_total', help: 'GraphQL requests refused with 503 because the rows of the answers under way, all keys together, would have passed STEDI_ROWS_IN_FLIGHT', registers: [this.registry] });
  readonly slowHeadersRefused = new Counter({ name: 'stedi_slow_headers_refused_total', help: 'Connections answered 408 and closed because their headers kept arriving slowly while unfinished requests held more than STEDI_UNFINISHED_HEADER_BYTES', registers: [this.registry] });
  readonly exportRows = new Counter({ name: 'stedi_export_rows_total', help: 'Rows sent by /export, by format', labelNames: ['format'], registers: [this.registry] });

  /**
   * `processMetrics`: Node's, with the `stedi_` prefix; an object gives them labels. A cluster's worker labels them with
   * its id: the cluster's /metrics sums series with the same labels, and a process's memory, open-file limit or heap
   * summed over workers (stedi_process_max_fds 40000 for two of 20000) described no process.
   */
  constructor(options: { processMetrics?: boolean | { labels: Record<string, string> } } = {}) {
    const { processMetrics } = options;
    if (!processMetrics) return;
    collectDefaultMetrics({ register: this.registry, prefix: 'stedi_', labels: processMetrics === true ? undefined : processMetrics.labels });
    // prom-client's sums of the by-type gauges are gauges named _total, which Prometheus reads as counters (promtool
    // says so; rate() of them is nonsense): sum(stedi_nodejs_active_handles) is the same number.
    for (const name of UNCONVENTIONAL_DEFAULTS) this.registry.removeSingleMetric(`stedi_${name}`);
  }

  /** The live version and the rebuilds, read at scrape time (lake-gauges.ts). */
  watchLake(engine: Engine, rebuilds: Pick<Rebuilds, 'current' | 'list'>, consent: Pick<ConsentRegistry, 'peek'>): void {
    registerLakeGauges(this.registry, engine, rebuilds, consent);
  }

  /** Consent's revocations, erasure lag and uncertain customers, read at scrape time (lake-gauges.ts). */
  watchConsent(consent: Pick<ConsentRegistry, 'revocationsSeen' | 'pendingErasure' | 'peek'>, erasure: Pick<Erasure, 'lagMs'>): void {
    registerConsentGauges(this.registry, consent, erasure);
  }

  /** The rows the GraphQL answers under way hold now (rows-in-flight.ts), read at scrape time: a cluster sums its workers'. */
  watchRowsInFlight(rows: { readonly inFlight: number }): void {
    new Gauge({ name: 'stedi_rows_in_flight', help: 'Rows asked by the GraphQL requests being answered now, all keys together (bounded by STEDI_ROWS_IN_FLIGHT)', registers: [this.registry], collect() { this.set(rows.inFlight); } });
  }

  /** Counts and times every HTTP request by its route (unknown paths share one label). */
  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const stop = this.httpDuration.startTimer();
      whenClosed(res, () => {
        // As routes match it: /GRAPHQL/ and an absolute-form `http://host/graphql` are /graphql too.
        const path = routeSpelling(requestPath(req));
        const route = ROUTES.has(path) ? path : 'other';
        stop({ route });
        this.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** Counts and times GraphQL operations by name and type. */
  apolloPlugin(): RequestPlugin<BaseContext> {
    return {
      requestDidStart: ({ contextValue }) => {
        // An answer the server makes again on a new version (answer-replay.ts) is no client's operation.
        if ((contextValue as { replay?: boolean }).replay) return undefined;
        const started = process.hrtime.bigint();
        let failed = false;
        return {
          didEncounterErrors: () => {
            failed = true;
          },
          willSendResponse: ({ operationName, operation }) => {
            this.countOperation(operationName, operation?.operation ?? 'unknown', started, failed);
          },
        };
      },
    };
  }

  /** Counts and times one GraphQL operation that started at `started` (process.hrtime.bigint()). */
  countOperation(operationName: string | null | undefined, type: string, started: bigint, failed: boolean): void {
    const labels = { operation: this.operationLabel(operationName), type };
    this.graphqlDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    this.graphqlOperations.inc({ ...labels, outcome: failed ? 'error' : 'ok' });
  }

  /** The engine with `query`, `queryColumns` (bulk pages) and `exportToFile` timed; everything else passes through. */
  instrumentEngine(engine: Engine): Engine {
    const timed = <A extends unknown[], R>(method: string, run: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const stop = this.engineDuration.startTimer({ method });
        try {
          const result = await run(...args);
          stop({ outcome: 'ok' });
          return result;
        } catch (error) {
          stop({ outcome: 'error' });
          throw error;
        }
      };
    const query = timed('query', engine.query.bind(engine));
    const exportToFile = timed('exportToFile', engine.exportToFile.bind(engine));
    const queryColumns = engine.queryColumns ? timed('queryColumns', engine.queryColumns.bind(engine)) : undefined;
    return new Proxy(engine, {
      get(target, property, receiver) {
        if (property === 'query') return query;
        if (property === 'exportToFile') return exportToFile;
        if (property === 'queryColumns') return queryColumns;
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  private operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'invalid';
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATION_LABELS) return 'other';
    this.operations.add(name);
    return name;
  }
}

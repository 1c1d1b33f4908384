import { ApiSchema } from './api-schema';
import type { Benchmark, BenchContext } from './context';
import { type Figure, atLeast, atMost, makeFigure, single } from './figure';
import { type LoadRequest, type LoadResult, runLoad } from './load';
import { type Summary, measure } from './measure';
import type { BenchServer } from './server';

/**
 * Benchmark 5: small queries under load. `customer(serialNumber)` with its 30
 * step trainer readings, every field, 32 connections for 20 s, each request
 * for the next customer in turn. Floor: the same load on /healthz.
 */

export const SMALL_QUERY_BASELINE = 'small-queries-baseline';

export interface SmallQueryBaseline {
  requestsPerSecond: Summary;
  p99Ms: Summary;
}

/** The load request of this benchmark: one POST body per consenting customer. */
export async function smallQueryRequest(server: BenchServer): Promise<LoadRequest> {
  const schema = await ApiSchema.load(server);
  const customer = schema.fieldType(schema.query, 'customer');
  const readings = schema.nodeType(customer, 'stepTrainerReadings');
  const serialType = schema.argType(schema.query, 'customer', 'serialNumber');
  const query = `query Small($serialNumber: ${serialType}) { customer(serialNumber: $serialNumber) { ${schema.leafSelection(customer)} stepTrainerReadings(first: 30) { edges { node { ${schema.leafSelection(readings)} } } } } }`;
  const serials: string[] = [];
  const document = 'query Serials($first: Int!, $after: String) { customers(first: $first, after: $after) { edges { node { serialNumber } } pageInfo { hasNextPage endCursor } } }';
  let after: string | null = null;
  for (let page = 0; page < 10_000; page += 1) {
    type Answer = { customers: { edges: Array<{ node: { serialNumber: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const data: Answer = await server.graphql<Answer>(document, { first: 1_000, after });
    serials.push(...data.customers.edges.map((e) => e.node.serialNumber));
    if (!data.customers.pageInfo.hasNextPage) break;
    after = data.customers.pageInfo.endCursor;
  }
  if (serials.length === 0) throw new Error('the lake serves no customers to query');
  return {
    method: 'POST',
    path: '/graphql',
    headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
    bodies: serials.map((serialNumber) => JSON.stringify({ query, variables: { serialNumber } })),
  };
}

export const healthRequest: LoadRequest = { method: 'GET', path: '/healthz' };

const asSample = (r: LoadResult) => ({ rps: r.requestsPerSecond, p99: r.p99Ms, errors: r.errors, requests: r.requests });

export const smallQueriesBench: Benchmark = {
  id: '5',
  title: 'small queries under load',
  async run(ctx: BenchContext) {
    const server = await ctx.realDataServer();
    const request = await smallQueryRequest(server);
    const { connections, loadSeconds, loadWarmupSeconds } = ctx.settings;
    ctx.log(`  load: ${connections} connections, ${loadSeconds} s per run, ${request.bodies?.length} customers in turn`);
    await runLoad(server.url, healthRequest, { connections, seconds: loadWarmupSeconds });
    await runLoad(server.url, request, { connections, seconds: loadWarmupSeconds });
    const results = await measure(
      {
        healthz: async () => asSample(await runLoad(server.url, healthRequest, { connections, seconds: loadSeconds })),
        customer: async () => asSample(await runLoad(server.url, request, { connections, seconds: loadSeconds })),
      },
      ctx.measureOptions('load', { warmup: 0 }),
    );
    ctx.shared.set(SMALL_QUERY_BASELINE, { requestsPerSecond: results.customer.rps, p99Ms: results.customer.p99 } satisfies SmallQueryBaseline);
    const base = { benchmark: '5', title: this.title };
    const label = 'customer + 30 step trainer readings';
    const errors = results.customer.errors.samples.reduce((a, b) => a + b, 0);
    const figures: Figure[] = [
      makeFigure({
        ...base,
        figure: `${label}: throughput`,
        unit: 'req/s',
        summary: results.customer.rps,
        floor: { what: '/healthz', summary: results.healthz.rps },
        targets: [atLeast(1_000, 'req/s')],
        details: { connections, seconds: loadSeconds, requests: results.customer.requests.samples, errors },
      }),
      makeFigure({
        ...base,
        figure: `${label}: p99 latency`,
        unit: 'ms',
        summary: results.customer.p99,
        floor: { what: '/healthz', summary: results.healthz.p99 },
        targets: [atMost(50, 'ms')],
      }),
      makeFigure({
        ...base,
        figure: `${label}: failed requests (all runs)`,
        unit: 'count',
        summary: single(errors),
        targets: [atMost(0, 'count')],
        note: 'a non-2xx status, a GraphQL error or a connection error',
      }),
    ];
    return figures;
  },
};

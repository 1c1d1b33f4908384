import { ApiSchema } from './api-schema';
import type { Benchmark, BenchContext } from './context';
import { atMost, makeFigure, single, withinFloorMultiple } from './figure';
import { runLoad } from './load';
import { measure } from './measure';
import { RebuildLoop } from './rebuild-loop';
import { SMALL_QUERY_BASELINE, type SmallQueryBaseline, smallQueryRequest } from './small-queries.bench';

/**
 * Benchmark 7: benchmark 5's load while `rebuildZones` runs back to back on
 * the same server. Readers must see no error while versions swap under them,
 * and the p99 may grow to at most 3× benchmark 5's (measured in this run; when
 * benchmark 5 was not selected, its baseline is measured here first).
 */
export const rebuildUnderLoadBench: Benchmark = {
  id: '7',
  title: 'small queries during rebuilds',
  async run(ctx: BenchContext) {
    const server = await ctx.realDataServer();
    const request = await smallQueryRequest(server);
    const schema = await ApiSchema.load(server);
    const load = { connections: ctx.settings.connections, seconds: ctx.settings.loadSeconds };
    let baseline = ctx.shared.get(SMALL_QUERY_BASELINE) as SmallQueryBaseline | undefined;
    if (!baseline) {
      ctx.log('  benchmark 5 did not run: measuring its baseline first');
      await runLoad(server.url, request, { ...load, seconds: ctx.settings.loadWarmupSeconds });
      const quiet = await measure({ baseline: async () => runLoad(server.url, request, load).then((r) => ({ rps: r.requestsPerSecond, p99: r.p99Ms })) }, ctx.measureOptions('baseline', { warmup: 0 }));
      baseline = { requestsPerSecond: quiet.baseline.rps, p99Ms: quiet.baseline.p99 };
    }
    const loop = new RebuildLoop(server, schema);
    let errors = 0;
    let requests = 0;
    loop.start();
    try {
      const results = await measure(
        {
          underRebuilds: async () => {
            const r = await runLoad(server.url, request, load);
            errors += r.errors;
            requests += r.requests;
            return { rps: r.requestsPerSecond, p99: r.p99Ms, errors: r.errors };
          },
        },
        ctx.measureOptions('rebuilds'),
      );
      await loop.stop();
      const base = { benchmark: '7', title: this.title };
      const details = { rebuildsSucceeded: loop.succeeded, rebuildsFailed: loop.failed, requests };
      return [
        makeFigure({
          ...base,
          figure: 'failed requests while rebuilding (all runs)',
          unit: 'count',
          summary: single(errors),
          targets: [atMost(0, 'count')],
          details,
          note: 'warm-up run included; a non-2xx status, a GraphQL error or a connection error',
        }),
        makeFigure({
          ...base,
          figure: 'p99 latency while rebuilding',
          unit: 'ms',
          summary: results.underRebuilds.p99,
          floor: { what: 'benchmark 5 p99', summary: baseline.p99Ms },
          targets: [withinFloorMultiple(3)],
          details,
        }),
        makeFigure({
          ...base,
          figure: 'throughput while rebuilding',
          unit: 'req/s',
          summary: results.underRebuilds.rps,
          floor: { what: 'benchmark 5', summary: baseline.requestsPerSecond },
        }),
        makeFigure({
          ...base,
          figure: 'rebuilds that failed',
          unit: 'count',
          summary: single(loop.failed),
          targets: [atMost(0, 'count')],
          details,
        }),
      ];
    } finally {
      await loop.stop();
    }
  },
};

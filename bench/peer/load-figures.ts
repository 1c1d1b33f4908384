import { type Figure, atMost, makeFigure, single, withinFloorMultiple } from '../figure';
import { type LoadRequest, type LoadResult, runLoad } from '../load';
import { measure } from '../measure';
import { RebuildLoop } from '../rebuild-loop';
import { type BenchServer, startServer } from '../server';
import { smallQueryRequest } from '../small-queries.bench';
import { BENCHMARK, type PeerLake, TITLE, notAbovePeer, ratioAtLeast } from './peer-lake';
import { PEER_SMALL } from './peer-queries';

/**
 * Benchmark 5's small query (one customer + 30 step trainer readings, each
 * request for the next customer) at 32 connections: this server, the same
 * server with its read cache off (a second server on the same lake,
 * STEDI_QUERY_CACHE_ROWS=0) and PostGraphile, runs interleaved; then the
 * same load with and without rebuilds running back to back (benchmark 7's loop).
 */

const asSample = (r: LoadResult) => ({ rps: r.requestsPerSecond, p99: r.p99Ms, errors: r.errors, requests: r.requests });
const LABEL = 'customer + 30 step trainer readings';

export async function smallQueryFigures(lake: PeerLake, cacheOff: BenchServer): Promise<Figure[]> {
  const { ctx, server, peer } = lake;
  const { connections, loadSeconds, loadWarmupSeconds } = ctx.settings;
  const stedi = await smallQueryRequest(server);
  const serials = stedi.bodies!.map((b) => (JSON.parse(b) as { variables: { serialNumber: string } }).variables.serialNumber);
  const peerRequest: LoadRequest = { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, bodies: serials.map((serialNumber) => JSON.stringify({ query: PEER_SMALL, variables: { serialNumber } })) };
  const noCache: LoadRequest = { ...stedi, headers: { ...stedi.headers, authorization: `Bearer ${cacheOff.adminKey}` } };
  const load = { connections, seconds: loadSeconds };
  for (const [url, request] of [[server.url, stedi], [cacheOff.url, noCache], [peer.url, peerRequest]] as const) await runLoad(url, request, { connections, seconds: loadWarmupSeconds });
  const results = await measure(
    {
      peer: async () => asSample(await runLoad(peer.url, peerRequest, load)),
      stedi: async () => asSample(await runLoad(server.url, stedi, load)),
      cacheOff: async () => asSample(await runLoad(cacheOff.url, noCache, load)),
    },
    ctx.measureOptions('peer small', { warmup: 0, runs: Math.min(lake.runs, 3) }),
  );
  const errors = (k: 'peer' | 'stedi' | 'cacheOff') => results[k].errors.samples.reduce((a, b) => a + b, 0);
  const details = { lake: lake.label, connections, seconds: loadSeconds, errors: { stedi: errors('stedi'), cacheOff: errors('cacheOff'), peer: errors('peer') } };
  const base = { benchmark: BENCHMARK, title: TITLE, details };
  const peerRps = { what: 'PostGraphile', summary: results.peer.rps };
  const peerP99 = { what: 'PostGraphile', summary: results.peer.p99 };
  return [
    makeFigure({ ...base, figure: `${LABEL}, ${connections} connections: throughput`, unit: 'req/s', summary: results.stedi.rps, floor: peerRps, targets: [ratioAtLeast(1.5)] }),
    makeFigure({ ...base, figure: `${LABEL}, ${connections} connections: p99`, unit: 'ms', summary: results.stedi.p99, floor: peerP99, targets: [notAbovePeer] }),
    makeFigure({ ...base, figure: `${LABEL}, ${connections} connections, read cache off: throughput`, unit: 'req/s', summary: results.cacheOff.rps, floor: peerRps, targets: [ratioAtLeast(1)] }),
    makeFigure({ ...base, figure: `${LABEL}, ${connections} connections, read cache off: p99`, unit: 'ms', summary: results.cacheOff.p99, floor: peerP99 }),
    makeFigure({ ...base, figure: `${LABEL}: failed requests, stedi with and without its read cache (all runs)`, unit: 'count', summary: single(errors('stedi') + errors('cacheOff')), targets: [atMost(0, 'count')] }),
  ];
}

/** The second server of the cache-off figure: same lake, read cache off (STEDI_QUERY_CACHE_ROWS=0). */
export function startCacheOffServer(lake: PeerLake, lakeDir: string, landing: string): Promise<BenchServer> {
  return startServer({ lake: lakeDir, landing, log: lake.ctx.log, env: { STEDI_QUERY_CACHE_ROWS: '0' } });
}

export async function rebuildLoadFigures(lake: PeerLake): Promise<Figure[]> {
  const { ctx, server, schema } = lake;
  const request = await smallQueryRequest(server);
  const load = { connections: ctx.settings.connections, seconds: ctx.settings.loadSeconds };
  const loop = new RebuildLoop(server, schema);
  let errors = 0;
  const results = await measure(
    {
      quiet: async () => asSample(await runLoad(server.url, request, load)),
      rebuilding: async () => {
        loop.start();
        try {
          const r = await runLoad(server.url, request, load);
          errors += r.errors;
          return asSample(r);
        } finally {
          await loop.stop();
        }
      },
    },
    ctx.measureOptions('peer rebuilds', { warmup: 0, runs: Math.min(lake.runs, 3) }),
  );
  const details = { lake: lake.label, rebuildsSucceeded: loop.succeeded, rebuildsFailed: loop.failed };
  const base = { benchmark: BENCHMARK, title: TITLE, details };
  return [
    makeFigure({ ...base, figure: `${LABEL} while rebuilds run back to back: p99`, unit: 'ms', summary: results.rebuilding.p99, floor: { what: 'the same load without rebuilds', summary: results.quiet.p99 }, targets: [withinFloorMultiple(3)], note: 'stedi only: PostGraphile does not build' }),
    makeFigure({ ...base, figure: `${LABEL} while rebuilds run back to back: throughput`, unit: 'req/s', summary: results.rebuilding.rps, floor: { what: 'the same load without rebuilds', summary: results.quiet.rps } }),
    makeFigure({ ...base, figure: `${LABEL} while rebuilds run back to back: failed requests and failed rebuilds`, unit: 'count', summary: single(errors + loop.failed), targets: [atMost(0, 'count')] }),
  ];
}

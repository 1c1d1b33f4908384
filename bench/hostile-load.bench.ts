import type { Benchmark, BenchContext } from './context';
import { type Figure, atMost, makeFigure, scaled, single, withinFloorMultiple } from './figure';
import { runLoad } from './load';
import { forkTs, nextMessage } from './child-process';
import { measure } from './measure';
import type { BenchServer } from './server';
import { smallQueryRequest } from './small-queries.bench';

/**
 * Benchmark 10: small queries while a hostile client streams the documents of
 * issue 10 (an introspection chain next to a huge scan, large introspection
 * documents, aliased totalCounts with new seeds, wrong variables), new text
 * every time, one after another, from its own process. A second client's small queries must keep
 * their p99 within 3× their p99 alone, and the server's RSS must grow by less
 * than 100 MiB over 60 s of the hostile stream: the peak RSS (sampled every
 * 250 ms) within the first 60 s of hostile requests, minus the RSS after the
 * small-query warm-up, before any hostile request (so caches filling up count).
 */

const SMALL_CONNECTIONS = 2;
/** The window: RSS growth over this many seconds of the hostile stream. */
const RSS_WINDOW_SECONDS = 60;
const RSS_SAMPLE_MS = 250;

/**
 * Starts the hostile client in its own process (hostile-client.ts): returns a function that stops it and resolves
 * with how many requests it sent, and how many got a 5xx.
 */
async function hostileStream(server: BenchServer): Promise<() => Promise<{ sent: number; serverErrors: number }>> {
  const child = forkTs('hostile-client.ts', []);
  try {
    await nextMessage(child, 'ready', 60_000);
  } catch (error) {
    child.kill();
    throw error;
  }
  child.send({ type: 'start', url: server.url, key: server.analystKey });
  return async () => {
    const stopped = nextMessage<{ sent: number; serverErrors: number }>(child, 'stopped', 60_000);
    child.send({ type: 'stop' });
    try {
      const { sent, serverErrors } = await stopped;
      return { sent, serverErrors };
    } finally {
      child.kill();
    }
  };
}

export const hostileLoadBench: Benchmark = {
  id: '10',
  title: 'small queries next to a hostile client',
  async run(ctx: BenchContext) {
    const server = await ctx.realDataServer();
    const request = await smallQueryRequest(server);
    const seconds = ctx.settings.loadSeconds;
    const load = () => runLoad(server.url, request, { connections: SMALL_CONNECTIONS, seconds });
    await runLoad(server.url, request, { connections: SMALL_CONNECTIONS, seconds: ctx.settings.loadWarmupSeconds });
    const rssBefore = await server.residentBytes();
    let rssPeak = rssBefore;
    let rssWindowPeak = rssBefore;
    let hostileSent = 0;
    let hostileServerErrors = 0;
    let hostileSeconds = 0;
    const results = await measure(
      {
        alone: async () => ({ p99: (await load()).p99Ms }),
        hostile: async () => {
          const stopStream = await hostileStream(server);
          const started = Date.now();
          const sample = async (): Promise<void> => {
            const rss = await server.residentBytes().catch(() => 0);
            rssPeak = Math.max(rssPeak, rss);
            if (hostileSeconds + (Date.now() - started) / 1000 <= RSS_WINDOW_SECONDS) rssWindowPeak = Math.max(rssWindowPeak, rss);
          };
          const sampler = setInterval(() => void sample(), RSS_SAMPLE_MS);
          const result = await load().finally(() => clearInterval(sampler));
          const { sent, serverErrors } = await stopStream();
          await sample();
          hostileSent += sent;
          hostileServerErrors += serverErrors;
          hostileSeconds += seconds;
          return { p99: result.p99Ms, errors: result.errors };
        },
      },
      ctx.measureOptions('hostile', { warmup: 0 }),
    );
    const rssAfter = await server.residentBytes();
    const base = { benchmark: '10', title: this.title };
    const MiB = 1 / (1024 * 1024);
    const figures: Figure[] = [
      makeFigure({
        ...base,
        figure: `customer + 30 readings, ${SMALL_CONNECTIONS} connections: p99 with a hostile client`,
        unit: 'ms',
        summary: results.hostile.p99,
        floor: { what: 'p99 alone', summary: results.alone.p99 },
        targets: [withinFloorMultiple(3)],
        details: { hostileRequests: hostileSent, hostileServerErrors, smallQueryErrors: results.hostile.errors.samples },
      }),
      makeFigure({
        ...base,
        figure: `server RSS growth over ${Math.min(hostileSeconds, RSS_WINDOW_SECONDS)} s of hostile requests (peak)`,
        unit: 'MiB',
        summary: scaled(single(rssWindowPeak - rssBefore), MiB),
        targets: [atMost(100, 'MiB')],
        details: {
          rssBeforeMiB: Math.round(rssBefore * MiB),
          rssPeakFirst60sMiB: Math.round(rssWindowPeak * MiB),
          [`rssPeakAll${hostileSeconds}sMiB`]: Math.round(Math.max(rssPeak, rssAfter) * MiB),
          rssAfterMiB: Math.round(rssAfter * MiB),
        },
      }),
      makeFigure({
        ...base,
        figure: 'hostile requests answered with a 5xx',
        unit: 'count',
        summary: single(hostileServerErrors),
        targets: [atMost(0, 'count')],
        note: `${hostileSent} hostile requests in all`,
      }),
    ];
    return figures;
  },
};

import { ApiSchema } from './api-schema';
import type { Benchmark, BenchContext } from './context';
import { type Figure, type Target, makeFigure } from './figure';
import { InProcessLake } from './in-process';
import { runLoad } from './load';
import { measure, elapsedMs } from './measure';
import { pageDocument, walk, walkBatch } from './paging';
import { loadLiveVersion, startPostgres } from './peer/postgres';
import { startPostGraphile, type PostGraphilePeer } from './peer/postgraphile';
import { smallQueryRequest } from './small-queries.bench';

/**
 * `npm run bench -- --peer postgraphile`: the same figures for this server and
 * for PostGraphile 4 over PostgreSQL (the live version of the real data loaded
 * into it, keys on the keyset columns, VACUUM ANALYZE), both up at once, runs
 * interleaved. Each figure's "floor" is the peer's, so the ratio is stedi / peer.
 */

const PG_PORT = 55_432;
const POSTGRAPHILE_PORT = 55_433;
const ratioAtLeast = (r: number, what: string): Target => ({ label: `≥ ${r}× ${what}`, met: (_m, ratio) => ratio !== null && ratio >= r });

const PEER_PAGE = `query Page($first: Int!, $after: Cursor) { allMachineLearningCurateds(first: $first, after: $after, orderBy: PRIMARY_KEY_ASC) {
  nodes { serialNumber sensorReadingTime distanceFromObject x y z } pageInfo { hasNextPage endCursor } } }`;
const PEER_SMALL = `query Small($serialNumber: String!) { customerCuratedBySerialNumber(serialNumber: $serialNumber) {
  serialNumber customerName registrationDate lastUpdateDate shareWithResearchAsOfDate
  stepTrainerTrustedsBySerialNumber(first: 30, orderBy: PRIMARY_KEY_ASC) { nodes { serialNumber sensorReadingTime distanceFromObject } } } }`;

async function peerPull(peer: PostGraphilePeer, first: number): Promise<number> {
  type Answer = { allMachineLearningCurateds: { nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  let after: string | null = null;
  let rows = 0;
  for (;;) {
    const { allMachineLearningCurateds: page }: Answer = await peer.graphql<Answer>(PEER_PAGE, { first, after });
    rows += page.nodes.length;
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

export const postgraphilePeerBench: Benchmark = {
  id: 'peer',
  title: 'side by side with PostGraphile',
  async run(ctx: BenchContext) {
    const server = await ctx.realDataServer();
    const lake = await ctx.realLake();
    const local = await InProcessLake.open(lake, ctx.sampleDir);
    const pg = startPostgres(PG_PORT, ctx.log);
    let peer: PostGraphilePeer | undefined;
    try {
      await loadLiveVersion(pg.url, local.engine, await ctx.scratch('postgres-load'));
      peer = await startPostGraphile(pg.url, POSTGRAPHILE_PORT, ctx.log);
      const p = peer;
      const { pullPageSize: first, connections, loadSeconds, loadWarmupSeconds } = ctx.settings;
      const schema = await ApiSchema.load(server);
      const document = pageDocument('machineLearningSamples', schema.leafSelection(schema.nodeTypeOfQuery('machineLearningSamples')));
      const rate = (pull: () => Promise<number>) => async (): Promise<number> => {
        let rows = 0;
        const ms = await elapsedMs(async () => {
          rows = await pull();
        });
        return rows / (ms / 1000);
      };
      const pulls = await measure(
        {
          peer: rate(() => peerPull(p, first)),
          samples: rate(async () => (await walk(server, 'machineLearningSamples', document, first)).rows),
          batch: rate(async () => (await walkBatch(server, first)).rows),
        },
        ctx.measureOptions('peer pull'),
      );
      const stediSmall = await smallQueryRequest(server);
      const serials = stediSmall.bodies!.map((b) => (JSON.parse(b) as { variables: { serialNumber: string } }).variables.serialNumber);
      const peerSmall = { method: 'POST' as const, path: '/graphql', headers: { 'content-type': 'application/json' }, bodies: serials.map((serialNumber) => JSON.stringify({ query: PEER_SMALL, variables: { serialNumber } })) };
      await runLoad(server.url, stediSmall, { connections, seconds: loadWarmupSeconds });
      await runLoad(p.url, peerSmall, { connections, seconds: loadWarmupSeconds });
      const small = await measure(
        {
          peer: async () => {
            const r = await runLoad(p.url, peerSmall, { connections, seconds: loadSeconds });
            return { rps: r.requestsPerSecond, p99: r.p99Ms };
          },
          stedi: async () => {
            const r = await runLoad(server.url, stediSmall, { connections, seconds: loadSeconds });
            return { rps: r.requestsPerSecond, p99: r.p99Ms };
          },
        },
        ctx.measureOptions('peer small', { warmup: 0 }),
      );
      const base = { benchmark: 'peer', title: this.title };
      const figures: Figure[] = [
        makeFigure({ ...base, figure: `training set, machineLearningSamples, pages of ${first.toLocaleString('en-US')}, real data`, unit: 'rows/s', summary: pulls.samples.value, floor: { what: 'PostGraphile, same pages', summary: pulls.peer.value }, targets: [ratioAtLeast(3, 'PostGraphile')] }),
        makeFigure({ ...base, figure: `training set, machineLearningBatch, pages of ${first.toLocaleString('en-US')}, real data`, unit: 'rows/s', summary: pulls.batch.value, floor: { what: 'PostGraphile, same pages', summary: pulls.peer.value }, targets: [] }),
        makeFigure({ ...base, figure: `customer + 30 step trainer readings, ${connections} connections: throughput`, unit: 'req/s', summary: small.stedi.rps, floor: { what: 'PostGraphile', summary: small.peer.rps }, targets: [ratioAtLeast(1.5, 'PostGraphile')] }),
        makeFigure({ ...base, figure: `customer + 30 step trainer readings, ${connections} connections: p99`, unit: 'ms', summary: small.stedi.p99, floor: { what: 'PostGraphile', summary: small.peer.p99 }, targets: [{ label: '≤ PostGraphile', met: (_m, r) => r !== null && r <= 1 }] }),
      ];
      return figures;
    } finally {
      await peer?.stop();
      pg.stop();
      await local.close();
    }
  },
};

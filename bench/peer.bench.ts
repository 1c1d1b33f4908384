import { ApiSchema } from './api-schema';
import { type Benchmark, type BenchContext, BenchmarkIncomplete } from './context';
import type { Figure } from './figure';
import { InProcessLake } from './in-process';
import { syntheticLake } from './keyset-depth.bench';
import { deepPageFigures } from './peer/deep-figures';
import { rebuildLoadFigures, smallQueryFigures, startCacheOffServer } from './peer/load-figures';
import { dropDatabase, loadLiveVersion } from './peer/load-version';
import { idleMemoryFigure } from './peer/memory-figures';
import { nestedColdFigures, nestedWarmFigure } from './peer/nested-figures';
import type { PeerLake } from './peer/peer-lake';
import { type PeerFigure, type PeerSize, customersOf, runsAt, sizeLabel } from './peer/peer-sizes';
import { freePort } from './peer/free-port';
import { pullFigures } from './peer/pull-figures';
import { type PostgresPeer, startPostgres } from './peer/postgres';
import { startPostGraphile } from './peer/postgraphile';
import { type BenchServer, startServer } from './server';

/**
 * `npm run bench -- --peer postgraphile [--peer-sizes 1,10,100]`: issue 11's
 * figures for this server and for PostGraphile 4 over PostgreSQL, on each
 * lake size in turn. At each size the live version is loaded into its own
 * database, both servers are up at once and the runs alternate; each figure's
 * floor is PostGraphile's, so the ratio is stedi / PostGraphile.
 *
 * Where each figure runs: the pull at every size; the small queries, the read
 * cache off and rebuilds under load on the real data (as benchmarks 5 and 7);
 * the nested page at 1× and 10× (cold needs a rebuild per sample); idle memory
 * on the 10× lake (else the smallest chosen); the deep page on the largest.
 */


export const postgraphilePeerBench: Benchmark = {
  id: 'peer',
  title: 'side by side with PostGraphile',
  async run(ctx: BenchContext) {
    const sizes = ctx.settings.peerSizes;
    const memoryAt = sizes.includes(10) ? 10 : sizes[0];
    const deepAt = sizes[sizes.length - 1];
    const pg = startPostgres(await freePort(), ctx.log);
    // Also stopped when the run is interrupted (its clean-ups run then); stopping twice is harmless.
    ctx.defer(async () => pg.stop());
    const figures: Figure[] = [];
    const failed: string[] = [];
    try {
      // A size that fails does not cost the others their figures.
      for (const size of sizes) {
        try {
          figures.push(...(await atSize(ctx, pg, size, { memory: size === memoryAt, deep: size === deepAt })));
        } catch (error) {
          ctx.log(`the peer run at ${sizeLabel(size)} failed: ${error instanceof Error ? error.stack : String(error)}`);
          failed.push(`${sizeLabel(size)}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
        }
      }
    } finally {
      pg.stop();
    }
    if (failed.length > 0) throw new BenchmarkIncomplete(`the peer run failed at ${failed.join('; ')}`, figures);
    return figures;
  },
};

async function atSize(ctx: BenchContext, pg: PostgresPeer, size: PeerSize, plan: { memory: boolean; deep: boolean }): Promise<Figure[]> {
  const customers = customersOf(size);
  const { lake: lakeDir, landing } = customers === null ? { lake: await ctx.realLake(), landing: ctx.sampleDir } : await syntheticLake(ctx, customers);
  const server: BenchServer = customers === null ? await ctx.realDataServer() : await startServer({ lake: lakeDir, landing, log: ctx.log });
  // The servers below are stopped at the end of this size, or by the run's clean-ups when it is interrupted.
  if (customers !== null) ctx.defer(() => server.stop());
  const local = await InProcessLake.open(lakeDir, landing);
  const database = `lake_${size}x`;
  let cacheOff: BenchServer | undefined;
  let peer: Awaited<ReturnType<typeof startPostGraphile>> | undefined;
  try {
    ctx.log(`loading the ${sizeLabel(size)} live version into PostgreSQL (${database})`);
    const loaded = await loadLiveVersion(pg, database, local.engine);
    ctx.log(`  loaded in ${(loaded.ms / 1000).toFixed(1)} s: ${JSON.stringify(loaded.rows)}`);
    peer = await startPostGraphile(pg.url(database), await freePort(), ctx.log);
    ctx.defer(peer.stop);
    const lake: PeerLake = { ctx, size, label: sizeLabel(size), server, schema: await ApiSchema.load(server), local, pg, database, peer, runs: runsAt(size, ctx.settings.runs, ctx.settings.quick) };
    const figures: Figure[] = [];
    const wanted = (group: PeerFigure): boolean => !ctx.settings.peerFigures || ctx.settings.peerFigures.includes(group);
    if (plan.memory && wanted('memory')) figures.push(await idleMemoryFigure(lake, 'after start-up', false));
    if (wanted('pull')) figures.push(...(await pullFigures(lake)));
    const nested = size <= 10 && wanted('nested') ? await nestedWarmFigure(lake) : undefined;
    if (nested) figures.push(nested.figure);
    if (plan.memory && wanted('memory')) figures.push(await idleMemoryFigure(lake, 'after the pulls', true));
    if (plan.deep && wanted('deep')) figures.push(...(await deepPageFigures(lake)));
    if (size === 1 && wanted('small')) {
      cacheOff = await startCacheOffServer(lake, lakeDir, landing);
      figures.push(...(await smallQueryFigures(lake, cacheOff)));
      await cacheOff.stop();
      cacheOff = undefined;
    }
    // Last: these rebuild the lake, which changes its live version under the figures above.
    if (nested) figures.push(...(await nestedColdFigures(lake, nested.peerWarm)));
    if (size === 1 && wanted('rebuild')) figures.push(...(await rebuildLoadFigures(lake)));
    return figures;
  } finally {
    await cacheOff?.stop();
    await peer?.stop();
    dropDatabase(pg, database);
    await local.close();
    // The real data's server is shared with other benchmarks; a synthetic lake's is this one's alone.
    if (customers !== null) await server.stop();
  }
}

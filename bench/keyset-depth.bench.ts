import { ApiSchema } from './api-schema';
import type { Benchmark, BenchContext } from './context';
import { makeFigure, withinFloorMultiple } from './figure';
import { buildLake, syntheticLanding } from './lakes';
import { elapsedMs, measure } from './measure';
import { fetchPage, pageDocument } from './paging';
import { builtLakeKey } from './scale.bench';
import { type BenchServer, startServer } from './server';

/**
 * Benchmark 6: keyset paging at depth on the 100× lake. Page 1 of
 * `accelerometerReadings` against a page as deep as the table goes (reached by
 * walking the whole connection once, page info only). Keyset cursors make
 * both a range seek; OFFSET would make the deep one scan everything before it.
 */
export const keysetDepthBench: Benchmark = {
  id: '6',
  title: 'keyset paging at depth',
  async run(ctx: BenchContext) {
    const customers = ctx.settings.depthCustomers;
    const server = customers === null ? await ctx.realDataServer() : await syntheticServer(ctx, customers);
    try {
      const field = 'accelerometerReadings';
      const schema = await ApiSchema.load(server);
      const { depthPageSize: size, depthWalkPageSize: step } = ctx.settings;
      const measured = pageDocument(field, schema.leafSelection(schema.nodeTypeOfQuery(field)));
      const { [field]: counted } = await server.graphql<Record<string, { totalCount: number }>>(`{ ${field}(first: 1) { totalCount } }`);
      const total = counted.totalCount;
      // The deepest cursor of the walk after which a full measured page remains.
      const target = Math.floor((total - size) / step);
      if (target < 1) throw new Error(`${field} has ${total} rows: too few to page ${step} at a time`);
      ctx.log(`  walking ${total.toLocaleString('en-US')} rows, ${step.toLocaleString('en-US')} per page, to depth ${(target * step).toLocaleString('en-US')}`);
      const walkDoc = pageDocument(field, '');
      let cursor: string | null = null;
      const walkMs = await elapsedMs(async () => {
        for (let i = 0; i < target; i += 1) {
          const page = await fetchPage(server, field, walkDoc, step, cursor);
          if (!page.hasNextPage || !page.endCursor) throw new Error(`${field} ended after ${i + 1} pages; expected ${total} rows`);
          cursor = page.endCursor;
        }
      });
      const deep = cursor;
      const page = (after: string | null) => async (): Promise<number> => {
        let rows = 0;
        const ms = await elapsedMs(async () => {
          rows = (await fetchPage(server, field, measured, size, after)).rows;
        });
        if (rows !== size) throw new Error(`a page of ${size} returned ${rows} rows`);
        return ms;
      };
      const results = await measure({ first: page(null), last: page(deep) }, ctx.measureOptions('depth'));
      const depth = target * step;
      return [
        makeFigure({
          benchmark: '6',
          title: this.title,
          figure: `page of ${size.toLocaleString('en-US')} at row ${depth.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`,
          unit: 'ms',
          summary: results.last.value,
          floor: { what: 'page 1', summary: results.first.value },
          targets: [withinFloorMultiple(2)],
          details: { customers: customers ?? 'real data', totalRows: total, depth, walkPageSize: step, walkMs: Math.round(walkMs), walkRowsPerSecond: Math.round(depth / (walkMs / 1000)) },
        }),
      ];
    } finally {
      // The real data's server is shared with other benchmarks; a synthetic lake's is this one's alone.
      if (customers !== null) await server.stop();
    }
  },
};

/** A server on the synthetic lake of `customers` (the one benchmark 2 left, or a new build). */
async function syntheticServer(ctx: BenchContext, customers: number): Promise<BenchServer> {
  const landing = await syntheticLanding(ctx.cacheDir, customers, ctx.settings.seed, ctx.log);
  let lake = ctx.shared.get(builtLakeKey(customers)) as string | undefined;
  if (!lake) {
    lake = await ctx.scratch(`depth-${customers}`);
    ctx.log(`building the ${customers.toLocaleString('en-US')}-customer lake into ${lake}`);
    await buildLake(landing.dir, lake);
  }
  return startServer({ lake, landing: landing.dir, log: ctx.log });
}

import { ApiSchema } from './api-schema';
import type { Benchmark, BenchContext } from './context';
import { atMost, makeFigure, scaled, single } from './figure';
import { measure, summarize } from './measure';
import { fetchPage, pageDocument } from './paging';
import { startServer } from './server';

/**
 * Benchmark 8: the server's memory under 20 concurrent pages of 10,000
 * training samples (every field), on a server of its own so its idle memory
 * is known (quick runs reuse the shared one). Growth = the peak resident memory during a burst minus the idle
 * memory before the first one; the server must answer every page and live.
 */

const MiB = 2 ** 20;
const SAMPLE_EVERY_MS = 10;

export const memoryBench: Benchmark = {
  id: '8',
  title: 'memory under concurrent pages',
  async run(ctx: BenchContext) {
    // Quick runs reuse the shared server: they prove the benchmark works, and a server start costs seconds.
    const own = !ctx.settings.quick;
    const server = own ? await startServer({ lake: await ctx.realLake(), landing: ctx.sampleDir, log: ctx.log }) : await ctx.realDataServer();
    try {
      const field = 'machineLearningSamples';
      const { memoryPages: pages, memoryPageSize: size } = ctx.settings;
      const schema = await ApiSchema.load(server);
      const document = pageDocument(field, schema.leafSelection(schema.nodeTypeOfQuery(field)));
      // Start cursors of every page of `size`, so concurrent requests read different rows.
      const starts: Array<string | null> = [null];
      const walkDoc = pageDocument(field, '');
      for (let page = await fetchPage(server, field, walkDoc, size, null); page.hasNextPage; page = await fetchPage(server, field, walkDoc, size, starts[starts.length - 1])) {
        starts.push(page.endCursor);
      }
      await new Promise((r) => setTimeout(r, 1_000));
      const idle = await server.residentBytes();
      ctx.log(`  idle RSS ${(idle / MiB).toFixed(0)} MiB; ${starts.length} distinct start cursors`);
      let failed = 0;
      const burst = async (): Promise<number> => {
        let peak = idle;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            peak = Math.max(peak, await server.residentBytes().catch(() => peak));
            await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
          }
        })();
        const answers = await Promise.allSettled(Array.from({ length: pages }, (_, i) => fetchPage(server, field, document, size, starts[i % starts.length])));
        sampling = false;
        await sampler;
        failed += answers.filter((a) => a.status === 'rejected').length;
        if (!server.isAlive()) throw new Error('the server died during a burst of concurrent pages');
        return (peak - idle) / MiB;
      };
      const results = await measure({ burst }, ctx.measureOptions('memory'));
      return [
        makeFigure({
          benchmark: '8',
          title: this.title,
          figure: `RSS growth, ${pages} concurrent pages of ${size.toLocaleString('en-US')}`,
          unit: 'MiB',
          summary: results.burst.value,
          floor: { what: 'idle RSS', summary: scaled(summarize([idle]), 1 / MiB), ratio: false },
          targets: [atMost(300, 'MiB')],
        }),
        makeFigure({
          benchmark: '8',
          title: this.title,
          figure: 'failed pages or crash (all runs)',
          unit: 'count',
          summary: single(failed),
          targets: [atMost(0, 'count')],
        }),
      ];
    } finally {
      if (own) await server.stop();
    }
  },
};

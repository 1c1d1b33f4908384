import { accelerometerDataset } from '../src/graphql/datasets/accelerometer.dataset';
import { ApiSchema } from './api-schema';
import type { Benchmark, BenchContext } from './context';
import { atLeast, atMost, makeFigure } from './figure';
import { InProcessLake } from './in-process';
import { buildLake, syntheticLanding } from './lakes';
import { elapsedMs, measure } from './measure';
import { type Page, fetchPage, pageDocument } from './paging';
import { builtLakeKey } from './scale.bench';
import { type BenchServer, startServer } from './server';

/**
 * Benchmark 6: keyset paging at depth on the 100× lake, issue 11's figures:
 * page 1 and page 400 of `accelerometerReadings` in pages of 10,000 (each
 * ≤ 50 ms), and the rate of paging from the start (≥ 200,000 rows/s), every
 * page with its nodes as a client reads them. The deep cursor is the one the
 * API issues for that row (its own dataset order and encoder), since walking
 * millions of rows through the API first would take minutes.
 */

const FIELD = 'accelerometerReadings';
const PAGE_MS = 50;
const WALK_ROWS_PER_SECOND = 200_000;

export const keysetDepthBench: Benchmark = {
  id: '6',
  title: 'keyset paging at depth',
  async run(ctx: BenchContext) {
    const customers = ctx.settings.depthCustomers;
    const { lake, landing } = customers === null ? { lake: await ctx.realLake(), landing: ctx.sampleDir } : await syntheticLake(ctx, customers);
    const server = customers === null ? await ctx.realDataServer() : await startServer({ lake, landing, log: ctx.log });
    const local = await InProcessLake.open(lake, landing);
    try {
      // The 100× version takes tens of seconds to load on a busy machine: measured pages start once it is in.
      await untilReady(server);
      const schema = await ApiSchema.load(server);
      const { depthPageSize: size, depthWalkPageSize: step, depthWalkPages } = ctx.settings;
      const document = pageDocument(FIELD, schema.leafSelection(schema.nodeTypeOfQuery(FIELD)));
      const { [FIELD]: counted } = await server.graphql<Record<string, { totalCount: number }>>(`{ ${FIELD}(first: 1) { totalCount } }`);
      const total = counted.totalCount;
      // Page n of `size` rows starts after row (n - 1) × size; a smaller table's last full page stands in.
      const deepPage = Math.min(ctx.settings.depthPage, Math.floor(total / size));
      if (deepPage < 2) throw new Error(`${FIELD} has ${total} rows: too few for a deep page of ${size}`);
      const depth = (deepPage - 1) * size;
      const deep = await local.cursorAt(accelerometerDataset, depth, FIELD);
      // The walk in turns with its floor: the engine in this process reading as many rows from the start, made into JSON.
      let walk = { rows: 0, pages: 0, ms: 0 };
      const walkRates = await measure(
        {
          floor: async () => {
            let rows = 0;
            const ms = await elapsedMs(async () => {
              const result = await local.firstRows(accelerometerDataset, step * depthWalkPages);
              JSON.stringify(result);
              rows = result.length;
            });
            return rows / (ms / 1000);
          },
          walk: async () => {
            walk = await walkFromStart(server, document, step, depthWalkPages);
            return walk.rows / (walk.ms / 1000);
          },
        },
        ctx.measureOptions('walk from the start'),
      );
      const page = (after: string | null) => async (): Promise<number> => {
        let rows = 0;
        const ms = await elapsedMs(async () => {
          rows = (await fetchPage(server, FIELD, document, size, after)).rows;
        });
        if (rows !== size) throw new Error(`a page of ${size} returned ${rows} rows`);
        return ms;
      };
      const results = await measure({ first: page(null), deep: page(deep) }, ctx.measureOptions('depth'));
      const label = (n: number): string => n.toLocaleString('en-US');
      const details = { customers: customers ?? 'real data', totalRows: total, pageSize: size };
      return [
        makeFigure({
          benchmark: '6',
          title: this.title,
          figure: `page 1 of ${label(size)}`,
          unit: 'ms',
          summary: results.first.value,
          targets: [atMost(PAGE_MS, 'ms')],
          details,
        }),
        makeFigure({
          benchmark: '6',
          title: this.title,
          figure: `page ${deepPage} of ${label(size)} (rows ${label(depth + 1)}–${label(depth + size)} of ${label(total)})`,
          unit: 'ms',
          summary: results.deep.value,
          floor: { what: 'page 1', summary: results.first.value },
          targets: [atMost(PAGE_MS, 'ms')],
          details: { ...details, depth },
        }),
        makeFigure({
          benchmark: '6',
          title: this.title,
          figure: `paging from the start, ${walk.pages} pages of ${label(step)} with their nodes`,
          unit: 'rows/s',
          summary: walkRates.walk.value,
          floor: { what: 'engine in-process + JSON.stringify, the same rows', summary: walkRates.floor.value },
          targets: [atLeast(WALK_ROWS_PER_SECOND, 'rows/s')],
          details: walk,
          note: 'what a client paging through the whole connection would see',
        }),
      ];
    } finally {
      await local.close();
      // The real data's server is shared with other benchmarks; a synthetic lake's is this one's alone.
      if (customers !== null) await server.stop();
    }
  },
};

async function untilReady(server: BenchServer): Promise<void> {
  for (let tries = 0; ; tries += 1) {
    const res = await fetch(`${server.url}/readyz`);
    if (res.status === 200) return;
    if (tries > 3_000) throw new Error(`the server never became ready: ${JSON.stringify(await res.json())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pages from the start with their nodes; only full pages (those with a next page) are timed. */
async function walkFromStart(server: BenchServer, document: string, first: number, pages: number): Promise<{ rows: number; pages: number; ms: number }> {
  // Untimed first: the server compiles the document once, as it would for the client's first page.
  await fetchPage(server, FIELD, document, first, null);
  let after: string | null = null;
  let full = 0;
  let ms = 0;
  while (full < pages) {
    let page: Page | undefined;
    const took = await elapsedMs(async () => {
      page = await fetchPage(server, FIELD, document, first, after);
    });
    if (!page?.hasNextPage) break;
    full += 1;
    ms += took;
    after = page.endCursor;
  }
  if (full === 0) throw new Error(`${FIELD} has no full page of ${first}`);
  return { rows: full * first, pages: full, ms };
}

/** The synthetic lake of `customers` (the one benchmark 2 left, or a new build, kept for later benchmarks). */
export async function syntheticLake(ctx: BenchContext, customers: number): Promise<{ lake: string; landing: string }> {
  const landing = await syntheticLanding(ctx.cacheDir, customers, ctx.settings.seed, ctx.log);
  let lake = ctx.shared.get(builtLakeKey(customers)) as string | undefined;
  if (!lake) {
    lake = await ctx.scratch(`depth-${customers}`);
    ctx.log(`building the ${customers.toLocaleString('en-US')}-customer lake into ${lake}`);
    await buildLake(landing.dir, lake);
    ctx.shared.set(builtLakeKey(customers), lake);
  }
  return { lake, landing: landing.dir };
}

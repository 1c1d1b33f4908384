import { ApiSchema } from './api-schema';
import type { Benchmark, BenchContext } from './context';
import { type Figure, atLeast, floorFraction, makeFigure } from './figure';
import { InProcessLake } from './in-process';
import { syntheticLake } from './keyset-depth.bench';
import { elapsedMs, measure } from './measure';
import { pageDocument, walk, walkBatch } from './paging';
import { type BenchServer, startServer } from './server';

/**
 * Benchmark 3: the whole training set through GraphQL, as a notebook pulls it
 * (including parsing each answer): `machineLearningSamples` with every field
 * in pages of 5,000, and `machineLearningBatch` (columns) in pages of 10,000;
 * on the real data and on the 10× lake. Floor: the same rows read from the
 * engine in this process and JSON.stringify-ed. Floor, rows and columns run in turns.
 */
export const graphqlPullBench: Benchmark = {
  id: '3',
  title: 'training set through GraphQL',
  async run(ctx: BenchContext) {
    const figures: Figure[] = [];
    for (const customers of ctx.settings.pullCustomers) figures.push(...(await pullOnLake(ctx, customers, this.title)));
    return figures;
  },
};

async function pullOnLake(ctx: BenchContext, customers: number | null, title: string): Promise<Figure[]> {
  const { lake, landing } = customers === null ? { lake: await ctx.realLake(), landing: ctx.sampleDir } : await syntheticLake(ctx, customers);
  const server: BenchServer = customers === null ? await ctx.realDataServer() : await startServer({ lake, landing, log: ctx.log });
  const local = await InProcessLake.open(lake, landing);
  const field = 'machineLearningSamples';
  const { pullPageSize, batchPageSize } = ctx.settings;
  let expected = -1;
  let bytes = 0;
  try {
    const schema = await ApiSchema.load(server);
    const selection = schema.leafSelection(schema.nodeTypeOfQuery(field));
    const document = pageDocument(field, selection);
    const rate = (pull: () => Promise<number>, what: string) => async (): Promise<number> => {
      let rows = 0;
      const ms = await elapsedMs(async () => {
        rows = await pull();
      });
      if (expected >= 0 && rows !== expected) throw new Error(`the ${what} pull returned ${rows} rows; the engine has ${expected}`);
      return rows / (ms / 1000);
    };
    const floor = async (): Promise<number> => {
      let rows = 0;
      const ms = await elapsedMs(async () => {
        const { sql, params } = await local.trainingSetQuery();
        const result = await local.engine.query(sql, params);
        bytes = JSON.stringify(result).length;
        rows = result.length;
      });
      expected = rows;
      return rows / (ms / 1000);
    };
    const results = await measure(
      {
        floor,
        pull: rate(async () => (await walk(server, field, document, pullPageSize)).rows, field),
        batch: rate(async () => (await walkBatch(server, batchPageSize)).rows, 'machineLearningBatch'),
      },
      ctx.measureOptions(`pull ${customers ?? 'real data'}`),
    );
    const size = customers === null ? 'real data' : `${customers.toLocaleString('en-US')} customers`;
    const base = { benchmark: '3', title, unit: 'rows/s' as const, floor: { what: 'engine in-process + JSON.stringify', summary: results.floor.value } };
    const details = { lake: size, rows: expected, floorJsonBytes: bytes };
    return [
      makeFigure({
        ...base,
        figure: `${field}, all fields, pages of ${pullPageSize.toLocaleString('en-US')}, ${size}`,
        summary: results.pull.value,
        targets: [atLeast(200_000, 'rows/s'), floorFraction(0.4)],
        details: { ...details, fields: selection.split(' ') },
      }),
      makeFigure({
        ...base,
        figure: `machineLearningBatch (columns), pages of ${batchPageSize.toLocaleString('en-US')}, ${size}`,
        summary: results.batch.value,
        // Issue 11's bar is for the large lakes; on the real data the figure is informational.
        targets: customers === null ? [] : [atLeast(1_000_000, 'rows/s')],
        details,
      }),
    ];
  } finally {
    await local.close();
    // The real data's server is shared with other benchmarks; a synthetic lake's is this one's alone.
    if (customers !== null) await server.stop();
  }
}

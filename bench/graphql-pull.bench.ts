import { ApiSchema } from './api-schema';
import type { Benchmark, BenchContext } from './context';
import { atLeast, floorFraction, makeFigure } from './figure';
import { InProcessLake } from './in-process';
import { elapsedMs, measure } from './measure';
import { pageDocument, walk } from './paging';

/**
 * Benchmark 3: the whole training set of the real data through GraphQL,
 * `machineLearningSamples` with every field, pages of 5,000, as a notebook
 * pulls it (including parsing each answer). Floor: the same rows read from the
 * engine in this process and JSON.stringify-ed.
 */
export const graphqlPullBench: Benchmark = {
  id: '3',
  title: 'training set through GraphQL',
  async run(ctx: BenchContext) {
    const server = await ctx.realDataServer();
    const schema = await ApiSchema.load(server);
    const field = 'machineLearningSamples';
    const selection = schema.leafSelection(schema.nodeTypeOfQuery(field));
    const document = pageDocument(field, selection);
    const local = await InProcessLake.open(await ctx.realLake(), ctx.sampleDir);
    let expected = -1;
    let bytes = 0;
    try {
      const pull = async (): Promise<number> => {
        let rows = 0;
        const ms = await elapsedMs(async () => {
          rows = (await walk(server, field, document, ctx.settings.pullPageSize)).rows;
        });
        if (expected >= 0 && rows !== expected) throw new Error(`the GraphQL pull returned ${rows} rows; the engine has ${expected}`);
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
      const results = await measure({ floor, pull }, ctx.measureOptions('pull'));
      return [
        makeFigure({
          benchmark: '3',
          title: this.title,
          figure: `${field}, all fields, pages of ${ctx.settings.pullPageSize.toLocaleString('en-US')}`,
          unit: 'rows/s',
          summary: results.pull.value,
          floor: { what: 'engine in-process + JSON.stringify', summary: results.floor.value },
          targets: [atLeast(150_000, 'rows/s'), floorFraction(0.3)],
          details: { rows: expected, fields: selection.split(' '), floorJsonBytes: bytes },
        }),
      ];
    } finally {
      await local.close();
    }
  },
};

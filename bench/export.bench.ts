import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportFormat } from '../etl/engine/engine';
import type { Benchmark, BenchContext } from './context';
import { type Figure, atLeast, floorFraction, makeFigure } from './figure';
import { InProcessLake } from './in-process';
import { elapsedMs, measure } from './measure';
import type { BenchServer } from './server';

/**
 * Benchmark 4: the whole training set through GET /export as NDJSON, CSV and
 * Parquet, the body read to its end by the client. Floor: the engine writing
 * the same rows (the export's own query) to a local file in this process.
 */

const FORMATS: readonly ExportFormat[] = ['ndjson', 'csv', 'parquet'];

/** Downloads one export, reading every byte; returns the rows the server says it sent. */
async function download(server: BenchServer, format: ExportFormat): Promise<{ rows: number; bytes: number }> {
  const response = await fetch(`${server.url}/export/machine_learning_curated?format=${format}`, {
    headers: { authorization: `Bearer ${server.adminKey}` },
  });
  if (!response.ok || !response.body) throw new Error(`export ${format} answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  let bytes = 0;
  for await (const chunk of response.body) bytes += (chunk as Uint8Array).byteLength;
  return { rows: Number(response.headers.get('x-row-count') ?? Number.NaN), bytes };
}

export const exportBench: Benchmark = {
  id: '4',
  title: 'training set through /export',
  async run(ctx: BenchContext) {
    const server = await ctx.realDataServer();
    const local = await InProcessLake.open(await ctx.realLake(), ctx.sampleDir);
    const dir = await ctx.scratch('export-floor');
    const figures: Figure[] = [];
    try {
      for (const format of FORMATS) {
        let expected = -1;
        let bytes = 0;
        const floor = async (): Promise<number> => {
          const file = join(dir, `floor.${format}`);
          let rows = 0;
          const ms = await elapsedMs(async () => {
            const { sql, params } = await local.trainingSetQuery();
            rows = await local.engine.exportToFile(sql, params, format, file);
          });
          await rm(file, { force: true });
          expected = rows;
          return rows / (ms / 1000);
        };
        const pull = async (): Promise<number> => {
          let got = { rows: 0, bytes: 0 };
          const ms = await elapsedMs(async () => {
            got = await download(server, format);
          });
          if (got.rows !== expected) throw new Error(`the ${format} export reported ${got.rows} rows; the engine wrote ${expected}`);
          bytes = got.bytes;
          return got.rows / (ms / 1000);
        };
        const results = await measure({ floor, pull }, ctx.measureOptions(`export ${format}`));
        figures.push(
          makeFigure({
            benchmark: '4',
            title: this.title,
            figure: `${format.toUpperCase()} download`,
            unit: 'rows/s',
            summary: results.pull.value,
            floor: { what: `engine writes ${format} to a local file`, summary: results.floor.value },
            targets: [atLeast(1_000_000, 'rows/s'), floorFraction(0.5)],
            details: { rows: expected, bytes },
          }),
        );
      }
      return figures;
    } finally {
      await local.close();
    }
  },
};

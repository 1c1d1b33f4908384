import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnBatch } from '../../../etl/landing/column-batches';
import { readLandingColumns } from '../../../etl/landing/landing-columns';
import { LandingReadError, readLanding } from '../../../etl/landing/landing-reader';
import { TABLES } from '../../../etl/tables';
import { makeTempDir } from '../../helpers/landing-fixture';

const COLUMNS = TABLES.step_trainer_landing.columns;
const ignore = { accept: () => undefined, quarantine: () => undefined };

describe('the landing reader', () => {
  it('counts every line once, as accepted, quarantined or blank, across chunk boundaries', async () => {
    const file = join(makeTempDir(), 'big.json');
    const line = '{"sensorReadingTime":1655000000000,"serialNumber":"s-1","distanceFromObject":7}';
    // About 9 MiB: lines straddle the reader's 4 MiB chunks.
    const lines = Array.from({ length: 120_000 }, (_, i) => (i % 1000 === 0 ? '' : i % 777 === 0 ? '{"bad"' : line));
    writeFileSync(file, lines.join('\n'));
    const tally = await readLanding([file], COLUMNS, ignore);
    const blank = lines.filter((l) => l === '').length;
    const bad = lines.filter((l) => l === '{"bad"').length;
    expect(tally).toEqual({ lines: lines.length, accepted: lines.length - blank - bad, quarantined: bad, blank, uncertain: [] });
  });

  it('fails with the file and line number only, never the content, when a file cannot be read to its end', async () => {
    const dir = makeTempDir();
    const good = join(dir, 'a.json');
    writeFileSync(good, '{"sensorReadingTime":1,"serialNumber":"secret-serial","distanceFromObject":7}\n');
    const failing = { accept: () => { throw new Error('appender refused "secret-serial"'); }, quarantine: () => undefined };
    const error = await readLanding([good], COLUMNS, failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LandingReadError);
    expect((error as Error).message).toBe(`landing file ${good} could not be read past line 1 (Error)`);
    const folder = await readLanding([dir], COLUMNS, ignore).catch((e: unknown) => e);
    expect((folder as Error).message).toBe(`landing file ${dir} could not be read past line 0 (EISDIR)`);
  });
});

describe('the landing reader in a worker thread', () => {
  it('makes the same decisions and hands over the same values as on the calling thread', async () => {
    const file = join(makeTempDir(), 'mixed.json');
    const lines = Array.from({ length: 5000 }, (_, i) =>
      i % 97 === 0 ? '{"sensorReadingTime":NaN}' : i % 89 === 0 ? '   ' : `{"sensorReadingTime":${1655000000000 + i},"serialNumber":"s-${i % 7}","distanceFromObject":${i % 3 === 0 ? 'null' : i}}`,
    );
    writeFileSync(file, lines.join('\n'));
    const COLUMNS_WITH_OPTIONAL = COLUMNS.map((c) => (c.name === 'distanceFromObject' ? { ...c, required: false } : c));
    const collect = async (workerMinBytes: number) => {
      const rows: unknown[][] = [];
      const quarantined: number[] = [];
      const sink = {
        acceptColumns: (batch: ColumnBatch, n: number) => {
          for (let r = 0; r < n; r += 1) rows.push(batch.map((column) => (Array.isArray(column) ? column[r] : Number.isNaN(column[r]) ? null : column[r])));
        },
        quarantine: (line: { lineNumber: number }) => quarantined.push(line.lineNumber),
      };
      const tally = await readLandingColumns([file], COLUMNS_WITH_OPTIONAL, sink, {}, workerMinBytes);
      return { tally, rows, quarantined };
    };
    const inWorker = await collect(0);
    const inThread = await collect(Number.MAX_SAFE_INTEGER);
    expect(inWorker).toEqual(inThread);
    expect(inWorker.tally.accepted).toBeGreaterThan(4000);
    expect(inWorker.rows.some((r) => r[2] === null)).toBe(true);
  });
});

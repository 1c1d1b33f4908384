import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LandingPool, readLandingColumns } from '../../../etl/landing/landing-columns';
import { withoutPreloads } from '../../../etl/landing/landing-pool';
import { LandingReadError } from '../../../etl/landing/landing-read-error';
import { readLanding } from '../../../etl/landing/landing-reader';
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

  it('quarantines a line of the common shape over the size limit, counting its bytes without the line end', async () => {
    const file = join(makeTempDir(), 'limit.json');
    const line = (serial: string): string => `{"sensorReadingTime":1,"serialNumber":"${serial}","distanceFromObject":7}`;
    const max = line('s-1').length;
    // At the limit (with \n or \r\n), one byte over it, then at the limit again as the file's last line.
    writeFileSync(file, `${line('s-1')}\n${line('s-2')}\r\n${line('s-10')}\n${line('s-10')} \n${line('s-3')}`);
    const accepted: unknown[] = [];
    const reasons: string[] = [];
    const tally = await readLanding([file], COLUMNS, { accept: (v) => accepted.push(v[1]), quarantine: (q) => reasons.push(`${q.lineNumber}: ${q.reason}`) }, { maxLineBytes: max });
    expect(accepted).toEqual(['s-1', 's-2', 's-3']);
    expect(reasons).toEqual([`3: line longer than ${max} bytes`, `4: line longer than ${max} bytes`]);
    expect(tally).toMatchObject({ lines: 5, accepted: 3, quarantined: 2, blank: 0 });
  });

  it('reads a number written -0.0, -0 or -0e0 as 0, on the fast and the strict path, into the landing Parquet too', async () => {
    // The Athena landing types these as 0 (`+ 0e0`): both engines store one zero, so ORDER BY and `=` agree on it.
    const columns = TABLES.accelerometer_landing.columns;
    const dir = makeTempDir();
    const file = join(dir, 'zeros.json');
    // The fast reader takes the first line (fields in schema order, no exponent); fields out of order and an exponent send the second to the strict one.
    writeFileSync(file, '{"user":"a@t.com","timestamp":1,"x":-0.0,"y":-0,"z":-0.000}\n{"x":-0.0,"y":-0,"z":-0e0,"user":"b@t.com","timestamp":2}\n');
    const read: unknown[][] = [];
    await readLanding([file], columns, { accept: (v) => read.push([...v]), quarantine: () => undefined });
    const axes = (row: readonly unknown[]): unknown[] => ['x', 'y', 'z'].map((name) => row[columns.findIndex((c) => c.name === name)]);
    expect(read).toHaveLength(2);
    for (const row of read) for (const value of axes(row)) expect(Object.is(value, 0)).toBe(true);
    const { parquetFiles } = await readLandingColumns([file], columns, { parquet: (job) => join(dir, `${job}.parquet`), quarantine: () => undefined });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const rows = (await connection.runAndReadAll(`SELECT "x", "y", "z" FROM read_parquet('${parquetFiles[0]}')`)).getRowsJS();
      expect(rows.flat().map((value) => Object.is(value, 0))).toEqual(Array(6).fill(true));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('leaves a filesystem refusal of what it writes to the lake as it is, to be said of the lake, not of the landing file', async () => {
    const file = join(makeTempDir(), 'a.json');
    writeFileSync(file, '{"sensorReadingTime":1,"serialNumber":"s","distanceFromObject":7}\n');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    const error = await readLanding([file], COLUMNS, { accept: () => { throw full; }, quarantine: () => undefined }).catch((e: unknown) => e);
    expect(error).toBe(full);
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
    // One removed between the listing and the read: said so, with what to do.
    const removed = await readLanding([join(dir, 'gone.json')], COLUMNS, ignore).catch((e: unknown) => e);
    expect((removed as Error).message).toBe(`landing file ${join(dir, 'gone.json')} could not be read past line 0 (ENOENT): it was removed while the build read the landing folder; build again`);
    // Gone before its size was asked, as a build sizes its sources: said the same way, not as Node's bare ENOENT.
    const unsized = await readLandingColumns([join(dir, 'gone.json')], COLUMNS, { parquet: () => join(dir, 'rows.parquet'), quarantine: () => undefined }).catch((e: unknown) => e);
    expect((unsized as Error).message).toBe(`landing file ${join(dir, 'gone.json')} could not be read past line 0 (ENOENT): it was removed while the build read the landing folder; build again`);
    expect(new LandingReadError('/in/x.json', 3, Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })).message).toBe(
      'landing file /in/x.json could not be read past line 3 (EACCES): give the user stedi runs as read access to it, or move it out of the landing folder',
    );
  });
});

describe('the landing reader in a pool of worker threads', () => {
  const COLUMNS_WITH_OPTIONAL = COLUMNS.map((c) => (c.name === 'distanceFromObject' ? { ...c, required: false } : c));
  const mixedLines = (count: number, offset: number): string[] =>
    Array.from({ length: count }, (_, k) => {
      const i = k + offset;
      return i % 97 === 0 ? '{"sensorReadingTime":NaN}' : i % 89 === 0 ? '   ' : `{"sensorReadingTime":${1655000000000 - i * 7919},"serialNumber":"s-${Math.floor(i / 5) % 7}","distanceFromObject":${i % 3 === 0 ? 'null' : -i}}`;
    });
  /** The rows of Parquet files, as DuckDB reads them (numbers as JavaScript numbers). */
  const readRows = async (paths: string[]): Promise<unknown[][]> => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const list = paths.map((p) => `'${p}'`).join(', ');
      const rows = (await connection.runAndReadAll(`SELECT * FROM read_parquet([${list}])`)).getRows();
      return rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  };
  const collect = async (files: string[], pool?: LandingPool) => {
    const out = makeTempDir();
    const quarantined: string[] = [];
    const sink = {
      parquet: (job: number) => join(out, `${job}.parquet`),
      quarantine: (line: { sourceFile: string; lineNumber: number }) => quarantined.push(`${line.sourceFile}:${line.lineNumber}`),
    };
    const { parquetFiles, ...tally } = await readLandingColumns(files, COLUMNS_WITH_OPTIONAL, sink, {}, { pool, minBytes: 0 });
    return { tally, rows: await readRows(parquetFiles), quarantined, parquetFiles };
  };

  it('makes the same decisions, writes the same values and keeps the quarantine in file order, as on the calling thread', async () => {
    const dir = makeTempDir();
    const files = [0, 1, 2].map((k) => {
      const file = join(dir, `mixed-${k}.json`);
      writeFileSync(file, mixedLines(5000 - k * 1000, k * 5000).join('\n'));
      return file;
    });
    const pool = new LandingPool(2);
    try {
      const inPool = await collect(files, pool);
      const inThread = await collect(files);
      // Rows may arrive in any order from the pool's threads.
      const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
      expect(sorted(inPool.rows)).toEqual(sorted(inThread.rows));
      expect(inPool.quarantined).toEqual(inThread.quarantined);
      expect(inPool.tally).toEqual(inThread.tally);
      expect(inPool.tally.accepted).toBeGreaterThan(10000);
      expect(inPool.rows.length).toBe(inPool.tally.accepted);
      // One file per job on the pool's threads, one on the calling thread.
      expect([inPool.parquetFiles.length, inThread.parquetFiles.length]).toEqual([3, 1]);
      expect(inPool.rows.some((r) => r[2] === null)).toBe(true);
      expect(inPool.rows).toContainEqual([1655000000000 - 11998 * 7919, 's-5', -11998]);
    } finally {
      await pool.close();
    }
  });

  it('starts its threads without the modules the process preloads (ts-node\'s hook), keeping its other Node flags', () => {
    expect(withoutPreloads(['-r', 'ts-node/register/transpile-only', '--cpu-prof', '--require=x', '--import', 'y', '--max-old-space-size=512'])).toEqual(['--cpu-prof', '--max-old-space-size=512']);
  });

  /** The descriptors this process holds on files under `folder` (a thread's Parquet file is one of the process's). */
  const openUnder = (folder: string): string[] =>
    readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`);
        return target.startsWith(folder) ? [target] : [];
      } catch {
        return [];
      }
    });

  it('fails a job cut short (its quarantine refused, or the pool closed under it) only once its thread has closed its Parquet file', async () => {
    const file = join(makeTempDir(), 'a.json');
    // A bad line first: its quarantine is refused while the thread still parses the 200,000 lines after it.
    writeFileSync(file, mixedLines(200_000, 0).join('\n'));
    const out = makeTempDir();
    const pool = new LandingPool(1);
    try {
      const refusing = { parquet: () => join(out, 'refused.parquet'), quarantine: () => { throw new Error('quarantine refused'); } };
      const refused = await readLandingColumns([file], COLUMNS_WITH_OPTIONAL, refusing, {}, { pool, minBytes: 0 }).catch((e: Error) => e);
      expect([(refused as Error).message, openUnder(out)]).toEqual(['quarantine refused', []]);

      const reading = readLandingColumns([file], COLUMNS_WITH_OPTIONAL, { parquet: () => join(out, 'closed.parquet'), quarantine: () => undefined }, {}, { pool, minBytes: 0 });
      const cut = reading.then(() => 'finished', (e: Error) => [e.message, openUnder(out)]);
      while (openUnder(out).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await pool.close();
      expect(await cut).toEqual(['the landing pool was closed before its jobs finished', []]);
    } finally {
      await pool.close();
    }
  });

  it('fails the job without the lines\' content when its rows cannot be written, and goes on with the next', async () => {
    const file = join(makeTempDir(), 'a.json');
    writeFileSync(file, mixedLines(3000, 1).join('\n'));
    const pool = new LandingPool(1);
    try {
      const nowhere = { parquet: () => join(makeTempDir(), 'missing', 'rows.parquet'), quarantine: () => undefined };
      const error = (await readLandingColumns([file], COLUMNS_WITH_OPTIONAL, nowhere, {}, { pool, minBytes: 0 }).catch((e: unknown) => e)) as Error;
      expect(error.message).toMatch(/ENOENT/);
      expect(error.message).not.toMatch(/sensorReadingTime|s-\d/);
      expect((await collect([file], pool)).tally.lines).toBe(3000);
    } finally {
      await pool.close();
    }
  });
});

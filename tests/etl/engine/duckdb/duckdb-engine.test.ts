import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbEngine } from '../../../../etl/engine/duckdb/duckdb-engine';
import { ParameterError, QueryTimeoutError, StaleVersionError } from '../../../../etl/engine/engine-errors';
import { buildLake } from '../../../helpers/etl-lake';
import { customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../../../helpers/landing-fixture';

describe('the DuckDB engine (read side)', () => {
  let engine: DuckDbEngine;
  let lake: string;
  let landing: string;

  beforeEach(async () => {
    landing = writeSmallLanding();
    lake = makeTempDir();
    engine = await DuckDbEngine.open({ lake, landing, connections: 2 });
  });
  afterEach(() => engine.close());

  it("keeps Parquet files' metadata on every connection, not one", async () => {
    const setting = "SELECT current_setting('parquet_metadata_cache') AS on";
    // Two at once: each runs on a connection of its own.
    const answers = await Promise.all([engine.query(setting), engine.query(setting)]);
    expect(answers).toEqual([[{ on: true }], [{ on: true }]]);
  });

  it('has no manifest before the first build', async () => {
    expect(await engine.manifest()).toBeNull();
  });

  it('answers queries on a kept version with bound parameters and numbers for BIGINTs', async () => {
    const built = await buildLake(landing, lake);
    const table = await engine.tableRef('machine_learning_curated', built.version);
    const rows = await engine.query(`SELECT "serialNumber", "sensorReadingTime", "x" FROM ${table} WHERE "serialNumber" = ? ORDER BY "x"`, ['serial-bob']);
    expect(rows).toEqual([{ serialNumber: 'serial-bob', sensorReadingTime: 1_655_000_001_000, x: 4 }]);
  });

  it('refuses text with an unpaired surrogate as the caller\'s input, which DuckDB would bind as U+FFFD and compare instead', async () => {
    const built = await buildLake(landing, lake);
    const table = await engine.tableRef('machine_learning_curated', built.version);
    const sql = `SELECT count(*) AS n FROM ${table} WHERE "serialNumber" <> ?`;
    for (const value of ['serial-\ud800', '\udc00serial-bob']) {
      await expect(engine.query(sql, [value])).rejects.toThrow(ParameterError);
      await expect(engine.query(sql, [value])).rejects.toThrow(/unpaired surrogate \(U\+D[8C]00\)$/);
      await expect(engine.exportToFile(sql, [value], 'csv', join(makeTempDir(), 'out.csv'))).rejects.toThrow(ParameterError);
    }
    // A surrogate pair is one character, bound as it is.
    expect(await engine.query(sql, ['serial-\u{1F600}'])).toEqual([{ n: 4 }]);
  });

  it('keeps serving an older kept version after a newer build, and refuses an expired one', async () => {
    const first = await buildLake(landing, lake, { keepVersions: 2 });
    const firstRef = await engine.tableRef('customer_curated', first.version);
    await buildLake(landing, lake, { keepVersions: 2 });
    expect(await engine.query(`SELECT count(*) AS n FROM ${firstRef}`)).toEqual([{ n: 2 }]);
    await buildLake(landing, lake, { keepVersions: 2 });
    await expect(engine.tableRef('customer_curated', first.version)).rejects.toBeInstanceOf(StaleVersionError);
  });

  it('reads the landing customers as they are now, every file a build would read, without a rebuild', async () => {
    const built = await buildLake(landing, lake);
    const ref = await engine.tableRef('customer_landing', built.version);
    expect(await engine.query(`SELECT count(*) AS n FROM ${ref}`)).toEqual([{ n: 3 }]);
    writeLanding(landing, 'customer', [customerRecord({ name: 'dora', serial: 'serial-dora' })], 'late.ndjson');
    const again = await engine.tableRef('customer_landing', built.version);
    expect(await engine.query(`SELECT count(*) AS n FROM ${again}`)).toEqual([{ n: 4 }]);
  });

  it('reads a landing number written -0.0 as 0, as the build and the Athena landing store it', async () => {
    const built = await buildLake(landing, lake);
    writeLanding(landing, 'accelerometer', ['{"user":"alice@test.com","timestamp":1655000009000,"x":-0.0,"y":-0,"z":-0e0}'], 'late.ndjson');
    const ref = await engine.tableRef('accelerometer_landing', built.version);
    const [row] = await engine.query(`SELECT "x", "y", "z", CAST("x" AS VARCHAR) AS "text" FROM ${ref} WHERE "timestamp" = ?`, [1_655_000_009_000]);
    expect([Object.is(row.x, 0), Object.is(row.y, 0), Object.is(row.z, 0), row.text]).toEqual([true, true, true, '0.0']);
  });

  it('cancels a query that runs past its time limit', async () => {
    const slow = 'SELECT count(*) FROM range(100000000000) AS a(i) WHERE i % 7 = 3';
    await expect(engine.query(slow, [], { timeoutMs: 50 })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(await engine.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('exports a query to a file in each format and counts the rows', async () => {
    const built = await buildLake(landing, lake);
    const table = await engine.tableRef('machine_learning_curated', built.version);
    const dir = makeTempDir();
    for (const format of ['csv', 'ndjson', 'parquet'] as const) {
      const path = join(dir, `out.${format}`);
      expect(await engine.exportToFile(`SELECT * FROM ${table} WHERE "serialNumber" <> ?`, ['nobody'], format, path)).toBe(4);
    }
    expect(readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
    expect(readFileSync(join(dir, 'out.ndjson'), 'utf8').trim().split('\n')).toHaveLength(4);
  });
});

describe('a DuckDB engine opened lazily (a cluster primary)', () => {
  it('reads the manifest without DuckDB, starts it on the first query, and refuses queries once closed', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const built = await buildLake(landing, lake);
    // A memory limit DuckDB refuses shows when DuckDB starts: not at open, at the first query.
    const broken = await DuckDbEngine.open({ lake, landing, memoryLimit: 'not a size', lazy: true });
    expect((await broken.manifest())?.versions[0]?.version).toBe(built.version);
    await expect(broken.query('SELECT 1 AS one')).rejects.toThrow(/Failed to set config/);
    await broken.close();
    await expect(DuckDbEngine.open({ lake, landing, memoryLimit: 'not a size' })).rejects.toThrow(/Failed to set config/);

    const engine = await DuckDbEngine.open({ lake, landing, connections: 1, lazy: true });
    const table = await engine.tableRef('customer_curated', built.version);
    expect(await engine.query(`SELECT count(*) AS n FROM ${table}`)).toEqual([{ n: 2 }]);
    await engine.close();
    await expect(engine.query('SELECT 1 AS one')).rejects.toThrow(/the engine is closed/);
    const unused = await DuckDbEngine.open({ lake, landing, lazy: true });
    await unused.close();
    await expect(unused.query('SELECT 1 AS one')).rejects.toThrow(/the engine is closed/);
  });
});

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { GetQueryResultsCommand } from '@aws-sdk/client-athena';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { athenaDialect } from '../../../../etl/engine/athena/athena-dialect';
import { duckDbDialect } from '../../../../etl/engine/duckdb/duckdb-dialect';
import { LakeNotBuiltError, StaleVersionError } from '../../../../etl/engine/engine-errors';
import { openEngine } from '../../../../etl/engine/open-engine';
import type { LakeManifest } from '../../../../etl/manifest';
import { fakeAws } from '../../../helpers/fake-aws';
import { manifestOfVersions } from '../../../helpers/manifest-fixture';
import { makeTempDir } from '../../../helpers/landing-fixture';

const LAKE = 's3://example-bucket/stedi';
const V1 = '20260101t000000000z_aaaa';
const V2 = '20260102t000000000z_bbbb';

function manifest(...versions: string[]): LakeManifest {
  return manifestOfVersions(...versions);
}

describe('the Athena engine', () => {
  it('names a kept version’s table, refuses an expired one, and says when nothing is built', async () => {
    const aws = fakeAws();
    const engine = new AthenaEngine({ lake: LAKE, database: 'lakehouse', manifestCacheMs: 0 }, aws.clients);
    await expect(engine.tableRef('customer_trusted', V1)).rejects.toBeInstanceOf(LakeNotBuiltError);
    aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest(V2, V1)));
    await expect(engine.tableRef('customer_trusted', V1)).resolves.toBe(`"lakehouse"."customer_trusted__${V1}"`);
    // Landing as it is now, through the view of the version the manifest names live (the live views may name another).
    await expect(engine.tableRef('accelerometer_landing', V1)).resolves.toBe(`"lakehouse"."accelerometer_landing__${V2}"`);
    aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest(V2)));
    await expect(engine.tableRef('customer_trusted', V1)).rejects.toBeInstanceOf(StaleVersionError);
  });

  it('answers a query on a version another process expired within the manifest cache period as stale, and any other missing table as Athena said', async () => {
    const notFound = (table: string) => ({ error: { category: 2 as const, retryable: false, reason: `TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.lakehouse.${table}' does not exist` } });
    const aws = fakeAws((query) => notFound(/FROM "lakehouse"\."([^"]+)"/.exec(query.sql)?.[1] ?? 'unknown'));
    aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest(V2, V1)));
    const engine = new AthenaEngine({ lake: LAKE, database: 'lakehouse', manifestCacheMs: 60_000, pollMinMs: 1, pollMaxMs: 1 }, aws.clients);
    const table = await engine.tableRef('machine_learning_curated', V1);
    aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest(V2)));
    await expect(engine.query(`SELECT * FROM ${table}`)).rejects.toMatchObject({ name: 'StaleVersionError', version: V1 });
    await expect(engine.exportToFile(`SELECT * FROM ${table}`, [], 'ndjson', '/nonexistent/out.ndjson')).rejects.toBeInstanceOf(StaleVersionError);
    // A kept version's table missing, or a table of no version, is not the reader's doing: Athena's error stands.
    await expect(engine.query(`SELECT * FROM "lakehouse"."machine_learning_curated__${V2}"`)).rejects.toMatchObject({ name: 'AthenaQueryError' });
    await expect(engine.query('SELECT * FROM "lakehouse"."customer_landing"')).rejects.toMatchObject({ name: 'AthenaQueryError' });
  });

  it('reads the manifest from S3 at most once per cache period', async () => {
    const aws = fakeAws();
    aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest(V1)));
    const engine = new AthenaEngine({ lake: LAKE, manifestCacheMs: 60_000 }, aws.clients);
    await engine.manifest();
    aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest(V2, V1)));
    expect((await engine.manifest())?.versions.map((v) => v.version)).toEqual([V1]);
    const fresh = new AthenaEngine({ lake: LAKE, manifestCacheMs: 0 }, aws.clients);
    expect((await fresh.manifest())?.versions.map((v) => v.version)).toEqual([V2, V1]);
  });

  it('reads the manifest again after its cache period even when the wall clock stepped back an hour meanwhile', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const aws = fakeAws();
      aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest(V1)));
      const engine = new AthenaEngine({ lake: LAKE, manifestCacheMs: 1_000 }, aws.clients);
      await engine.manifest();
      aws.s3.put(`${LAKE}/_stedi/manifest.json`, JSON.stringify(manifest(V2, V1)));
      // NTP correcting a clock that ran fast: Date goes back an hour, the time that passes does not.
      jest.setSystemTime(Date.now() - 3_600_000);
      jest.advanceTimersByTime(1_000);
      expect((await engine.manifest())?.versions.map((v) => v.version)).toEqual([V2, V1]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('runs a query in the configured workgroup, output location and database, with its parameters', async () => {
    const aws = fakeAws(() => ({ columns: [{ name: 'email', type: 'varchar' }, { name: 'total', type: 'bigint' }], rows: [['a@test.com', '3']] }));
    const engine = new AthenaEngine({ lake: LAKE, workgroup: 'stedi-api', outputLocation: 's3://results-bucket/athena/', database: 'lakehouse' }, aws.clients);
    const rows = await engine.query('SELECT "email", count(*) AS total FROM t WHERE "email" = ? AND "x" > ?', ['a@test.com', 0.5]);
    expect(rows).toEqual([{ email: 'a@test.com', total: 3 }]);
    expect(aws.athena.queries[0]).toMatchObject({ workgroup: 'stedi-api', outputLocation: 's3://results-bucket/athena/', database: 'lakehouse', parameters: ["'a@test.com'", '5e-1'] });
    await expect(engine.query('SELECT * FROM t LIMIT ?', [10])).rejects.toThrow('only in a WHERE clause');
    expect(aws.athena.queries).toHaveLength(1);
  });

  it('reads every page of a result again when GetQueryResults is throttled, a bounded number of times, without running the query again', async () => {
    const rows = Array.from({ length: 1_500 }, (_, i) => [`s-${i}`]);
    const aws = fakeAws(() => ({ columns: [{ name: 'serialnumber', type: 'varchar' }], rows }));
    const engine = new AthenaEngine({ lake: LAKE, maxRetries: 2, pollMinMs: 100, pollMaxMs: 1_000 }, aws.clients);
    aws.athena.throttleResults = 2;
    const read = await engine.query('SELECT "serialNumber" FROM t');
    expect(read).toHaveLength(1_500);
    expect(read[1_499]).toEqual({ serialNumber: 's-1499' });
    expect(aws.athena.queries).toHaveLength(1);
    expect(aws.athena.mock.commandCalls(GetQueryResultsCommand)).toHaveLength(2 + 2);
    expect(aws.clock.sleeps.slice(-2)).toEqual([400, 800]);

    // Throttled past the retries: the caller hears the engine is busy (the throttling its cause), and the query is still run only once.
    aws.athena.throttleResults = 3;
    await expect(engine.query('SELECT "serialNumber" FROM t')).rejects.toMatchObject({ name: 'EngineBusyError', cause: { name: 'ThrottlingException' } });
    expect(aws.athena.queries).toHaveLength(2);
  });

  it('exports from the query’s result file on S3, not from result pages, in every format', async () => {
    const csv = '"serialnumber","sensorreadingtime","x","email"\n"s-1","1655000001000","0.5","a@test.com"\n"s-2",,"-1.0",""\n';
    const aws = fakeAws(() => ({
      outputLocation: 's3://results-bucket/athena/export-1.csv',
      columns: [
        { name: 'serialnumber', type: 'varchar' },
        { name: 'sensorreadingtime', type: 'bigint' },
        { name: 'x', type: 'double' },
        { name: 'email', type: 'varchar' },
      ],
    }));
    aws.s3.put('s3://results-bucket/athena/export-1.csv', csv);
    const engine = new AthenaEngine({ lake: LAKE }, aws.clients);
    const dir = makeTempDir('stedi-export-');
    for (const format of ['csv', 'ndjson', 'parquet'] as const) {
      await expect(engine.exportToFile('SELECT * FROM t WHERE "email" <> ?', [''], format, join(dir, `out.${format}`))).resolves.toBe(2);
    }
    // Only the column metadata is read through GetQueryResults (one row), never the data pages.
    expect(aws.athena.mock.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.MaxResults)).toEqual([1, 1, 1]);
    expect(readFileSync(join(dir, 'out.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { serialNumber: 's-1', sensorReadingTime: 1_655_000_001_000, x: 0.5, email: 'a@test.com' },
      { serialNumber: 's-2', sensorReadingTime: null, x: -1, email: '' },
    ]);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8').split('\n')[0]).toBe('serialNumber,sensorReadingTime,x,email');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const parquet = await connection.runAndReadAll(`SELECT typeof("sensorReadingTime") AS t, count(*) AS n FROM read_parquet('${join(dir, 'out.parquet')}') GROUP BY 1`);
    expect(parquet.getRowObjectsJS()).toEqual([{ t: 'BIGINT', n: 2n }]);
    connection.closeSync();
    instance.closeSync();
  });

  it('copies the result file into the export\'s own folder, never a folder of its own in the temporary folder (a kill -9 left that behind for ever)', async () => {
    const aws = fakeAws(() => ({ outputLocation: 's3://results-bucket/athena/export-2.csv', columns: [{ name: 'serialnumber', type: 'varchar' }] }));
    const body = Buffer.from('"serialnumber"\n"s-1"\n');
    const dir = makeTempDir('stedi-export-own-');
    const out = join(dir, 'out.csv');
    // A temporary folder of this test's own: other suites write theirs in the run's meanwhile.
    const temporary = makeTempDir('stedi-tmpdir-');
    let seen: string[] | undefined;
    // What the temporary folder holds as the result file is fetched: the copy is made from then on.
    aws.s3.mock.on(GetObjectCommand).callsFake(() => {
      seen = readdirSync(temporary);
      return { Body: Readable.from([body]) };
    });
    const engine = new AthenaEngine({ lake: LAKE }, aws.clients);
    const tmpdir = jest.spyOn(os, 'tmpdir').mockReturnValue(temporary);
    try {
      await expect(engine.exportToFile('SELECT "serialNumber" FROM t', [], 'csv', out)).resolves.toBe(1);
    } finally {
      tmpdir.mockRestore();
    }
    expect(seen).toEqual([]);
    expect(readFileSync(out, 'utf8')).toBe('serialNumber\ns-1\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('exports from a result file whose location holds characters SQL text could not (the workgroup’s own results location)', async () => {
    const location = 's3://results-bucket/team results/ünï+code/export 1.csv';
    const aws = fakeAws(() => ({ outputLocation: location, columns: [{ name: 'serialnumber', type: 'varchar' }] }));
    aws.s3.put(location, '"serialnumber"\n"s-1"\n');
    const engine = new AthenaEngine({ lake: LAKE }, aws.clients);
    const out = join(makeTempDir('stedi-export-'), 'out.ndjson');
    await expect(engine.exportToFile('SELECT "serialNumber" FROM t', [], 'ndjson', out)).resolves.toBe(1);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ serialNumber: 's-1' });
  });

  it('buckets text into 0–99 exactly as DuckDB and JavaScript do', async () => {
    expect(athenaDialect.bucket100('"email"')).toBe('(from_base(substr(to_hex(md5(to_utf8("email"))), 1, 8), 16) % 100)');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // The Athena expression itself, run with Trino's semantics: to_hex writes md5's bytes in upper case, from_base(_, 16) reads them.
    await connection.run('CREATE MACRO to_utf8(s) AS s');
    await connection.run('CREATE MACRO to_hex(s) AS upper(s)');
    await connection.run("CREATE MACRO from_base(s, b) AS CAST(('0x' || s) AS BIGINT)");
    const buckets = new Set<number>();
    for (const email of ['Santosh.Clayton@test.com', 'a@b.c', 'ünïcödé@test.com', ...Array.from({ length: 40 }, (_, i) => `user-${i}@test.com`)]) {
      const expected = parseInt(createHash('md5').update(email, 'utf8').digest('hex').slice(0, 8), 16) % 100;
      const onDuckDb = (await connection.runAndReadAll(`SELECT ${duckDbDialect.bucket100('?')} AS b`, [email])).getRows()[0][0];
      const onAthena = (await connection.runAndReadAll(`SELECT ${athenaDialect.bucket100('?')} AS b`, [email])).getRows()[0][0];
      expect([Number(onDuckDb), Number(onAthena)]).toEqual([expected, expected]);
      buckets.add(expected);
    }
    expect(buckets.size).toBeGreaterThan(10); // the emails spread over the buckets, so a constant answer would fail
    connection.closeSync();
    instance.closeSync();
  });

  it('is what openEngine returns for kind athena', async () => {
    const engine = await openEngine({ kind: 'athena', lake: LAKE, region: 'eu-west-1', database: 'stedi' });
    expect(engine.kind).toBe('athena');
    expect(engine.dialect).toBe(athenaDialect);
    await engine.close();
    await expect(openEngine({ kind: 'athena', lake: 's3://Bad_Bucket/x' })).rejects.toThrow('invalid S3 bucket');
    await expect(openEngine({ kind: 'athena', lake: LAKE, database: 'Stedi-Prod' })).rejects.toThrow('the Glue database (--glue-database / STEDI_GLUE_DATABASE) must be lower-case');
  });
});

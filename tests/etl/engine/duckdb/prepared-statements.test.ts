import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import type { SqlValue } from '../../../../etl/engine/engine';
import { DuckDbEngine } from '../../../../etl/engine/duckdb/duckdb-engine';
import { PreparedStatements } from '../../../../etl/engine/duckdb/prepared-statements';
import { toJsRows } from '../../../../etl/engine/duckdb/values';
import { StaleVersionError } from '../../../../etl/engine/engine-errors';
import { buildLake } from '../../../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../../../helpers/landing-fixture';

/**
 * Prepared statements kept per connection: the same rows as running the text
 * each time, values always bound, bounded in number, and never outliving the
 * views of a version the engine dropped.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe(`prepared statements of one connection (seed ${SEED})`, () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await connection.run(`CREATE TABLE t AS SELECT i AS id, 'row ' || i AS label, CAST(i AS BIGINT) * 1000 AS ms, CASE WHEN i % 3 = 0 THEN NULL ELSE i / 2.0 END AS half FROM range(5000) r(i)`);
  });
  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  const plain = async (sql: string, params: SqlValue[]) => toJsRows(await connection.run(sql, params));

  it('answers as running the text does: every chunk, BIGINTs as numbers, NULLs, an empty result', async () => {
    const statements = new PreparedStatements(connection, () => 0);
    for (const [sql, params] of [
      ['SELECT * FROM t WHERE id >= ? ORDER BY id', [10]],
      ['SELECT * FROM t WHERE label = ?', ['row 42']],
      ['SELECT * FROM t WHERE label = ?', ['no such row']],
      ['SELECT count(*) AS n FROM t', []],
    ] as Array<[string, SqlValue[]]>) {
      expect(toJsRows(await statements.run(sql, params))).toEqual(await plain(sql, params));
    }
    expect(toJsRows(await statements.run('SELECT * FROM t WHERE id >= ? ORDER BY id', [0]))).toHaveLength(5000);
  });

  it('prepares a text once and reuses it with new values', async () => {
    const statements = new PreparedStatements(connection, () => 0);
    const prepare = jest.spyOn(connection, 'prepare');
    try {
      for (const id of [1, 2, 3]) expect(toJsRows(await statements.run('SELECT label FROM t WHERE id = ?', [id]))).toEqual([{ label: `row ${id}` }]);
      expect(prepare).toHaveBeenCalledTimes(1);
    } finally {
      prepare.mockRestore();
    }
  });

  it('keeps at most its bound, dropping the least recently used', async () => {
    const statements = new PreparedStatements(connection, () => 0, 2);
    const prepare = jest.spyOn(connection, 'prepare');
    try {
      await statements.run('SELECT 1 AS a', []);
      await statements.run('SELECT 2 AS a', []);
      await statements.run('SELECT 1 AS a', []);
      await statements.run('SELECT 3 AS a', []);
      expect(statements.size).toBe(2);
      await statements.run('SELECT 1 AS a', []);
      expect(prepare).toHaveBeenCalledTimes(3);
      await statements.run('SELECT 2 AS a', []);
      expect(prepare).toHaveBeenCalledTimes(4);
    } finally {
      prepare.mockRestore();
    }
  });

  it('drops every kept statement when the generation changes', async () => {
    let generation = 0;
    const statements = new PreparedStatements(connection, () => generation);
    await statements.run('SELECT 1 AS a', []);
    await statements.run('SELECT 2 AS a', []);
    generation += 1;
    await statements.run('SELECT 3 AS a', []);
    expect(statements.size).toBe(1);
  });

  it('runs a text DuckDB cannot prepare as one statement the plain way, and reports errors as the plain way does', async () => {
    const statements = new PreparedStatements(connection, () => 0);
    expect(toJsRows(await statements.run('SELECT 1 AS a; SELECT 2 AS b', []))).toEqual([{ b: 2 }]);
    await expect(statements.run('SELECT * FROM no_such_table', [])).rejects.toThrow(/no_such_table/);
    expect(statements.size).toBe(0);
  });

  it('binds any value as a value: the same rows as the plain path, whatever the text of the value', async () => {
    const statements = new PreparedStatements(connection, () => 0);
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("'; DROP TABLE t; --", 'row 7', "row 7' OR '1'='1"), fc.integer({ min: -10, max: 6000 }), fc.constant(null));
    await fc.assert(
      fc.asyncProperty(value, value, async (label, id) => {
        const sql = 'SELECT id, label FROM t WHERE label = CAST(? AS VARCHAR) OR id = CAST(? AS INTEGER) ORDER BY id';
        const params = [label === null ? null : String(label), typeof id === 'number' ? id : null];
        expect(toJsRows(await statements.run(sql, params))).toEqual(await plain(sql, params));
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect(toJsRows(await statements.run('SELECT count(*) AS n FROM t', []))).toEqual([{ n: 5000 }]);
  });
});

describe('the DuckDB engine with kept statements', () => {
  it('reports a version dropped since its statements were prepared as stale, and serves the new one', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const engine = await DuckDbEngine.open({ lake, landing, connections: 2 });
    try {
      const first = await buildLake(landing, lake, { keepVersions: 1 });
      const sql = async (version: string) => `SELECT count(*) AS n FROM ${await engine.tableRef('customer_curated', version)}`;
      const old = await sql(first.version);
      const [before] = await engine.query(old);
      const second = await buildLake(landing, lake, { keepVersions: 1 });
      await new Promise((resolve) => setImmediate(resolve));
      // A request reads the manifest first: that drops the first version's views, and with them its statements.
      expect((await engine.manifest())?.versions.map((v) => v.version)).toEqual([second.version]);
      await expect(engine.query(old)).rejects.toBeInstanceOf(StaleVersionError);
      expect(await engine.query(await sql(second.version))).toEqual([before]);
    } finally {
      await engine.close();
    }
  });
});

import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { readColumns } from '../../../../etl/engine/duckdb/column-reader';

/**
 * The engine's own column reader against node-api's general conversion (the
 * reference it replaced): the same values, nulls and order for every type,
 * across chunk boundaries, and under generated values (seeded; the seed is in
 * the describe name, STEDI_PROPERTY_SEED replays it). UUIDs are read in JS too (page serials).
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

let instance: DuckDBInstance;
let connection: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** node-api's own JS values, BIGINTs made numbers (what the engine always returned). */
async function reference(sql: string, params: (string | number | null)[] = []): Promise<unknown[][]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getColumnsJS().map((values) => values.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

async function fast(sql: string, params: (string | number | null)[] = []): Promise<unknown[][]> {
  return readColumns(await connection.run(sql, params)).columns;
}

describe(`the DuckDB column reader (seed ${SEED})`, () => {
  it('reads BIGINT, DOUBLE and VARCHAR values and their nulls as node-api does, and other types through node-api', async () => {
    const sql = `SELECT * FROM (VALUES
      (NULL::VARCHAR, 'short', NULL::BIGINT, -5::BIGINT, 9007199254740993::BIGINT, NULL::DOUBLE, -0.0::DOUBLE, DATE '2020-01-02', 'héllo wörld, a longer string', 42::INTEGER, TRUE, 1.25::DECIMAL(5,2)),
      ('x', NULL, 1, -1234567890123, -9007199254740993, 1e300, 4.5, NULL, NULL, NULL, NULL, NULL),
      ('', 'exactly12byt', 0, 4294967296, 4294967295, -1e-300, 'NaN'::DOUBLE, DATE '1539-01-01', '0123456789abc', -1, FALSE, -3.5)
    ) AS t(a, b, c, d, e, f, g, h, i, j, k, l)`;
    const columns = await fast(sql);
    expect(columns).toEqual(await reference(sql));
    expect(columns[0]).toEqual([null, 'x', '']);
    expect(columns[3]).toEqual([-5, -1234567890123, 4294967296]);
    expect(Object.is(columns[6][0], -0)).toBe(true);
  });

  it('keeps every row in order across chunks, with repeated strings reused and a change at a chunk edge kept', async () => {
    // 5,000 rows span three chunks of 2,048; serials change every 7 rows and at row 2,048.
    const sql = `SELECT 'serial-' || lpad(CAST(CASE WHEN i < 2048 THEN i // 7 ELSE 10000 + i // 7 END AS VARCHAR), 40, '0') AS s,
      CASE WHEN i % 11 = 0 THEN NULL ELSE i * 1000003 END AS n, CASE WHEN i % 13 = 0 THEN NULL ELSE i / 3 END AS d,
      CASE WHEN i % 17 = 0 THEN NULL ELSE i % 3 = 0 END AS b
      FROM range(5000) AS r(i) ORDER BY i`;
    const columns = await fast(sql);
    expect(columns[0]).toHaveLength(5000);
    expect(columns).toEqual(await reference(sql));
  });

  it('returns names and no rows for an empty result', async () => {
    const result = readColumns(await connection.run('SELECT 1::BIGINT AS a, \'x\' AS b WHERE FALSE'));
    expect(result).toEqual({ names: ['a', 'b'], rowCount: 0, columns: [[], []] });
  });

  it('agrees with node-api on generated strings, integers and doubles, nulls included', async () => {
    const row = fc.tuple(
      fc.option(fc.string({ maxLength: 40, unit: 'grapheme' }), { nil: null }),
      fc.option(fc.maxSafeInteger(), { nil: null }),
      fc.option(fc.double({ noNaN: true }), { nil: null }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (rows) => {
        // Rows as bound values (never text in the SQL), in their generated order.
        const values = rows.map((_, i) => `(${i}, ?::VARCHAR, ?::BIGINT, ?::DOUBLE)`).join(', ');
        const sql = `SELECT s, n, d FROM (VALUES ${values}) AS t(i, s, n, d) ORDER BY i`;
        const params = rows.flatMap(([s, n, d]) => [s, n === null ? null : String(n), d === null ? null : String(d)]);
        expect(await fast(sql, params)).toEqual(await reference(sql, params));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('reads UUIDs as the text node-api and DuckDB\'s own CAST give, nulls, extremes and repeats included', async () => {
    // Repeats in runs (a page of one customer's readings), across chunks of 2,048; the top bit's flip at both extremes.
    const sql = `SELECT u, CAST(u AS VARCHAR) AS t FROM (SELECT CASE WHEN i % 101 = 0 THEN NULL
      WHEN i % 89 = 0 THEN '00000000-0000-0000-0000-000000000000'::UUID WHEN i % 97 = 0 THEN 'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID
      ELSE ('7fffffff-' || lpad(CAST((i // 37) % 10000 AS VARCHAR), 4, '0') || '-4000-8000-' || lpad(CAST(i // 37 AS VARCHAR), 12, '0'))::UUID END AS u
      FROM range(5000) AS r(i) ORDER BY i)`;
    const columns = await fast(sql);
    expect(columns).toEqual(await reference(sql));
    expect(columns[0]).toEqual(columns[1]);
  });

  it('agrees with DuckDB\'s text on generated UUIDs', async () => {
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });
    const uuid = fc.option(fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-')), { nil: null });
    await fc.assert(
      fc.asyncProperty(fc.array(uuid, { minLength: 1, maxLength: 30 }), async (uuids) => {
        const values = uuids.map((_, i) => `(${i}, ?::UUID)`).join(', ');
        const sql = `SELECT u, CAST(u AS VARCHAR) AS t FROM (VALUES ${values}) AS v(i, u) ORDER BY i`;
        const [read, text] = await fast(sql, uuids);
        expect(read).toEqual(text);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { download, exportedRows } from '../helpers/export-download';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding } from '../helpers/landing-fixture';
import { sqlParseErrors } from '../helpers/sql-grammar';
import { FORMULA_STARTS, formulaSafeSql } from '../../src/graphql/spreadsheet-formulas';

/**
 * A hostile producer lands serials a spreadsheet runs as formulas: the CSV export sends them with a `'` in front,
 * which one rule (drop one leading `'`) undoes; numbers (negative ones too) and the other formats keep their values.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

// Each with a formula start, one already quoted, and one that needs nothing; distinct devices (serial-spelling.ts).
// A serial with a tab, a CR, a NUL, a space or a fullwidth formula start (＝＋－＠) is quarantined on landing (a
// customer's serial is visible ASCII): the guard's SQL is held to its rule on any text, those among it, below.
const HOSTILE = ['=HYPERLINK("http://x","y")', '+1+2', '-2+3', '@SUM(1)', "'quoted"];
const PLAIN = ['serial-plain'];

/** What the CSV cell should hold for `serial`: the rule the README states. */
const csvCell = (serial: string): string => (FORMULA_STARTS.some((c) => serial.startsWith(c)) ? `'${serial}` : serial);

function writeHostileLanding(): string {
  const root = makeTempDir();
  const serials = [...HOSTILE, ...PLAIN];
  const names = serials.map((_, i) => `p${i}`);
  writeLanding(root, 'customer', names.map((name, i) => customerRecord({ name, serial: serials[i]! })));
  writeLanding(root, 'accelerometer', names.map((name) => accelerometerRecord(name, 1_655_000_001_000, -1.5, -2, -3)));
  writeLanding(root, 'step_trainer', serials.map((serial) => stepTrainerRecord(serial, 1_655_000_001_000, 100)));
  return root;
}

describe('a CSV export of serials a spreadsheet would run as formulas', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeHostileLanding() });
  });
  afterAll(() => t.close());

  it("sends each with a ' in front, and no other text or number changed", async () => {
    const res = await download(t.server, '?format=csv', ANALYST_KEY);
    expect(res.status).toBe(200);
    const rows = await exportedRows(res.body, 'csv');
    expect(rows.map((r) => r.serialNumber).sort()).toEqual([...HOSTILE, ...PLAIN].map(csvCell).sort());
    expect(rows.map((r) => r.serialNumber)).toEqual(expect.arrayContaining(PLAIN));
    // Negative numbers start with '-' too: they are numbers, sent as they are.
    for (const row of rows) expect([row.x, row.y, row.z]).toEqual([-1.5, -2, -3]);
    expect(res.body.toString('utf8')).not.toMatch(/\n[=+@\-\uff1d\uff0b\uff0d\uff20]/);
  });

  it("is undone by dropping one leading ': the NDJSON and Parquet exports' values, in the same order", async () => {
    const csv = await exportedRows((await download(t.server, '?format=csv', ANALYST_KEY)).body, 'csv');
    const undone = csv.map((r) => String(r.serialNumber).replace(/^'/, ''));
    for (const format of ['ndjson', 'parquet'] as const) {
      const rows = await exportedRows((await download(t.server, `?format=${format}`, ANALYST_KEY)).body, format);
      expect(rows.map((r) => r.serialNumber)).toEqual(undone);
    }
  });
});

describe(`the formula guard's SQL against its rule, on any text (seed ${SEED})`, () => {
  it("puts a ' in front of exactly the text that starts with a formula character", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('\t=3', '\r=4', '\u0000=5', ' =6', '\uff1dHYPERLINK("http://x","z")', '\uff0b7', '\uff0d8', '\uff20SUM(9)'), fc.tuple(fc.constantFrom(...FORMULA_STARTS), fc.string({ maxLength: 6 })).map(([a, b]) => a + b));
      await fc.assert(
        fc.asyncProperty(text, async (value) => {
          const result = await connection.runAndReadAll(`SELECT ${formulaSafeSql('CAST($1 AS VARCHAR)')}`, [value]);
          expect(result.getRows()[0]![0]).toBe(csvCell(value));
        }),
        { seed: SEED, numRuns: 300 },
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('is SQL Athena takes too (the Trino grammar parses it)', () => {
    expect(sqlParseErrors([{ sql: `SELECT ${formulaSafeSql('m."serialNumber"')} AS "serialNumber" FROM t AS m`, grammar: 'trino' }])).toEqual([[]]);
  });
});

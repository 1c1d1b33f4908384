import fc from 'fast-check';
import type { Engine } from '../../etl/engine/engine';
import { inMemoryColumnarEngine } from '../helpers/columnar-engine';
import { accelerometerDataset } from '../../src/graphql/datasets/accelerometer.dataset';
import { machineLearningDataset, SAMPLE_COLUMNS } from '../../src/graphql/datasets/machine-learning.dataset';
import { columnarDataset, queryColumns, serialAsUuid } from '../../src/graphql/engine-columns';

/**
 * A column page reading its serials as UUIDs (serialAsUuid) must give the
 * very serials the plain select gives: DuckDB's own text of each UUID, any
 * other text (upper case, braces, no dashes, not a UUID, unicode) as it is,
 * NULL as null, across DuckDB's chunks of 2,048 rows. Generated serials are
 * seeded; the seed is in the describe name (STEDI_PROPERTY_SEED replays it).
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

const { engine, close } = inMemoryColumnarEngine();
afterAll(close);

/** The plain and the UUID read of the same rows, in the same order. */
async function bothReads(serials: (string | null)[]): Promise<{ plain: unknown; asUuid: unknown }> {
  const values = serials.map(() => '(?::VARCHAR, ?::BIGINT)').join(', ');
  const from = `(VALUES ${values}) AS a(serialNumber, t)`;
  const params = serials.flatMap((s, i) => [s, i]);
  const plain = await queryColumns(engine, `SELECT a.serialNumber AS "serialNumber", a.t AS "t" FROM ${from} ORDER BY a.t`, params, {});
  const asUuid = await queryColumns(engine, `SELECT ${serialAsUuid('a.serialNumber')}, a.t AS "t" FROM ${from} ORDER BY a.t`, params, {});
  return { plain, asUuid };
}

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const canonical = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));

describe(`serials read as UUIDs on a column page (seed ${SEED})`, () => {
  it('gives the same serials as the plain read, repeated in runs across chunks, with nulls and other forms', async () => {
    const serials: (string | null)[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      const n = Math.floor(i / 37);
      serials.push(
        i % 977 === 0
          ? null
          : n % 9 === 0
            ? `SERIAL-${n}`
            : n % 11 === 0
              ? `{${n.toString(16).padStart(8, '0')}-0000-4000-8000-00000000000a}`
              : `${n.toString(16).padStart(8, '0')}-cc9c-4e64-9506-cb8857523c40`,
      );
    }
    serials.push('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '7fffffff-ffff-ffff-7fff-ffffffffffff', '80000000-0000-0000-8000-000000000000');
    const { plain, asUuid } = await bothReads(serials);
    expect(asUuid).toEqual(plain);
    expect(Object.keys((asUuid as { columns: object }).columns)).toEqual(['serialNumber', 't']);
  });

  it('gives the same serials for generated UUIDs, their upper-case forms and other text', async () => {
    const serial = fc.option(fc.oneof(canonical, canonical.map((s) => s.toUpperCase()), canonical.map((s) => s.replace(/-/g, '')), fc.string(), fc.constantFrom('é-ü-not-a-uuid-but-long-enough', '')), { nil: null });
    await fc.assert(
      fc.asyncProperty(fc.array(serial, { minLength: 1, maxLength: 40 }), async (serials) => {
        const { plain, asUuid } = await bothReads(serials);
        expect(asUuid).toEqual(plain);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('is how accelerometer pages are read as columns on an engine with a columnar read, and only there', () => {
    expect(columnarDataset(engine, accelerometerDataset).select).toBe(accelerometerDataset.columnarSelect);
    const rowsOnly = { query: async () => [] } as unknown as Engine;
    expect(columnarDataset(rowsOnly, accelerometerDataset)).toBe(accelerometerDataset);
  });

  it('is how training-set pages (machineLearningSamples and machineLearningBatch) are read as columns, with every column of the plain select', async () => {
    const read = columnarDataset(engine, machineLearningDataset);
    expect(read.select).toBe(machineLearningDataset.columnarSelect);
    const table = `(SELECT 'a1b2c3d4-0000-4000-8000-00000000000a' AS "serialNumber", 1 AS "sensorReadingTime", 2 AS "distanceFromObject", 0.5 AS x, 1.5 AS y, 2.5 AS z) AS m`;
    const sql = (select: string) => `SELECT ${select.replace(/"machine_learning_curated"\./g, '')} FROM ${table}`;
    const plain = await queryColumns(engine, sql(machineLearningDataset.select), [], {});
    const asUuid = await queryColumns(engine, sql(read.select), [], {});
    expect(asUuid).toEqual(plain);
    expect(Object.keys(asUuid.columns)).toEqual([...SAMPLE_COLUMNS]);
  });
});

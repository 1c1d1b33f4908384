import fc from 'fast-check';
import type { ColumnarResult, SqlValue } from '../../etl/engine/engine';
import { columnarDataset, queryColumns } from '../../src/graphql/engine-columns';
import type { Dataset, Node } from '../../src/graphql/datasets/dataset';
import { accelerometerDataset } from '../../src/graphql/datasets/accelerometer.dataset';
import { machineLearningDataset } from '../../src/graphql/datasets/machine-learning.dataset';
import { pageQuery, type Scope } from '../../src/graphql/page-query';
import { inKeyOrder, readPageColumns, withSerials } from '../../src/graphql/stored-order-read';
import { inMemoryColumnarEngine } from '../helpers/columnar-engine';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding, writeRevocation } from '../helpers/many-customers-landing';
import { servableRows } from '../helpers/servable-rows';

/**
 * A bounded page read without ORDER BY is kept only when it is exactly what
 * the sorted query answers: its rows in strictly increasing key order as
 * DuckDB sorts them (checked here against DuckDB's own ORDER BY over
 * generated keys: unicode text, -0, NaN, ties), and all of the range.
 * Generated values are seeded; the seed is in the describe name (STEDI_PROPERTY_SEED replays it).
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

const { engine: memory, close } = inMemoryColumnarEngine();
afterAll(close);

const keyed = { key: ['s', 't', 'x'].map((name) => ({ name, expr: name, type: 'string' })) } as unknown as Dataset<Node>;

type Key = [string, number, number];

/** The keys as given (`ORDER BY i`) and as DuckDB sorts them. */
async function asGivenAndSorted(keys: Key[]): Promise<{ given: ColumnarResult; sorted: ColumnarResult }> {
  const values = keys.map(() => '(?::VARCHAR, ?::BIGINT, CAST(?::VARCHAR AS DOUBLE), ?::INTEGER)').join(', ');
  const from = `(VALUES ${values}) AS k(s, t, x, i)`;
  // Doubles as text: a whole double would be bound as a BIGINT, and -0 written with its sign.
  const params = keys.flatMap(([s, t, x], i) => [s, t, Object.is(x, -0) ? '-0.0' : String(x), i]) as SqlValue[];
  const given = await queryColumns(memory, `SELECT s, t, x FROM ${from} ORDER BY i`, params, {});
  const sorted = await queryColumns(memory, `SELECT s, t, x FROM ${from} ORDER BY s, t, x`, params, {});
  return { given, sorted };
}

const text = fc.oneof(fc.constantFrom('a', 'b', 'ab', 'B', 'é', '\u{1F600}', '\uFFFD', 'a\u0000'), fc.string({ maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 2 }));
const key: fc.Arbitrary<Key> = fc.tuple(text, fc.integer({ min: -3, max: 3 }), fc.oneof(fc.constantFrom(0, -0, 1.5, -1, Number.NaN), fc.double()));

describe(`a bounded page read in stored order (seed ${SEED})`, () => {
  it("takes rows as read only when they are in the order of DuckDB's ORDER BY, and takes a sorted ASCII page", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(key, { minLength: 1, maxLength: 12 }), fc.boolean(), async (keys, sortFirst) => {
        const { sorted } = await asGivenAndSorted(keys);
        // Half the cases read the rows in DuckDB's own order: those are the ones that must be taken when unambiguous.
        const order = sortFirst ? (sorted.columns.s as string[]).map((s, i) => [s, sorted.columns.t[i], sorted.columns.x[i]] as Key) : keys;
        const { given, sorted: again } = await asGivenAndSorted(order);
        if (inKeyOrder(keyed, given)) expect(given).toEqual(again);
        const plain = order.every(([s, , x]) => /^[\x00-\x7f]*$/.test(s) && !Number.isNaN(x) && x !== 0);
        const distinct = new Set(order.map((k) => JSON.stringify(k))).size === order.length;
        if (sortFirst && plain && distinct) expect(inKeyOrder(keyed, given)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('reads the sorted query instead when the rows read are out of order, fill the cap, tie, or hold a value in doubt', async () => {
    const query = { sql: 'sorted', params: [], inStoredOrder: { sql: 'stored', offset: 1, limit: 2, cap: 4 } };
    const rows = (...ss: string[]): ColumnarResult => ({ rowCount: ss.length, columns: { s: ss, t: ss.map(() => 1), x: ss.map(() => 0.5) } });
    const readWith = (stored: ColumnarResult) => {
      const asked: string[] = [];
      const read = async (sql: string) => (asked.push(sql), sql === 'stored' ? stored : rows('sorted'));
      return { asked, result: readPageColumns(keyed, query, {}, read) };
    };
    const inOrder = readWith(rows('a', 'b', 'c'));
    expect(await inOrder.result).toEqual(rows('b', 'c'));
    expect(inOrder.asked).toEqual(['stored']);
    const withNull = rows('a', 'b', 'c');
    withNull.columns.t[2] = null;
    for (const stored of [rows('a', 'c', 'b'), rows('a', 'b', 'c', 'd'), rows('a', 'b', 'b'), rows('a', 'é', 'f'), withNull]) {
      const other = readWith(stored);
      expect(await other.result).toEqual(rows('sorted'));
      expect(other.asked).toEqual(['stored', 'sorted']);
    }
  });
});

describe(`a stored-order page whose serials come as engine text keys (seed ${SEED})`, () => {
  const serialOf = (k: number): string => `serial-${k}`;

  it('puts back each row\'s serial from its key, in runs, and refuses a key outside the set or a null', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 40 }), fc.integer({ min: 0, max: 7 }), (keys, known) => {
        const serials = new Map(Array.from({ length: known }, (_, k) => [k, serialOf(k)]));
        const read = withSerials({ rowCount: keys.length, columns: { serialKey: [...keys], t: keys.map((_, i) => i) } }, serials);
        if (keys.every((k) => k < known)) {
          expect(read).toEqual({ rowCount: keys.length, columns: { serialNumber: keys.map(serialOf), t: keys.map((_, i) => i) } });
        } else {
          expect(read).toBeUndefined();
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(withSerials({ rowCount: 2, columns: { serialKey: [1, null] } }, new Map([[1, 'a']]))).toBeUndefined();
    expect(withSerials({ rowCount: 1, columns: { serialNumber: ['a'] } }, new Map([[1, 'a']]))).toBeUndefined();
  });

  it('reads the sorted query instead when a key has no serial', async () => {
    const query = { sql: 'sorted', params: [], inStoredOrder: { sql: 'stored', offset: 0, limit: 2, cap: 4, serials: new Map([[1, 'a'], [2, 'b']]) } };
    const sorted: ColumnarResult = { rowCount: 1, columns: { s: ['sorted'], t: [1], x: [0.5] } };
    const asked: string[] = [];
    const read = async (stored: ColumnarResult) =>
      readPageColumns(byS, query, {}, async (sql) => (asked.push(sql), sql === 'stored' ? stored : sorted));
    const keyedRows = (...keys: number[]): ColumnarResult => ({ rowCount: keys.length, columns: { serialKey: keys, t: keys.map(() => 1), x: keys.map(() => 0.5) } });
    expect(await read(keyedRows(1, 2))).toEqual({ rowCount: 2, columns: { serialNumber: ['a', 'b'], t: [1, 1], x: [0.5, 0.5] } });
    expect(asked).toEqual(['stored']);
    asked.length = 0;
    expect(await read(keyedRows(1, 3))).toEqual(sorted);
    expect(asked).toEqual(['stored', 'sorted']);
  });
});

/** A dataset keyed by (serialNumber, t, x), as the training set's key starts. */
const byS = { key: ['serialNumber', 't', 'x'].map((name) => ({ name, expr: name, type: 'string' })) } as unknown as Dataset<Node>;

describe('bulk pages read in stored order from a built lake', () => {
  let t: TestApp;
  // 30 customers (24 consenting) × 100 rows, the build's sorted Parquet file.
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(30, 100).landing });
  });
  afterAll(() => t.close());

  it.each([
    ['training set', machineLearningDataset as Dataset<Node>],
    ['accelerometer readings', accelerometerDataset as Dataset<Node>],
  ])('gives every page of the %s, and every page after one skipped, as the sorted query does, without running it', async (_name, dataset) => {
    const { engine, consent } = t.lake.services;
    const version = (await engine.manifest())!.versions[0].version;
    const ds = columnarDataset(engine, dataset);
    const scope: Scope<Node> = { engine, dataset: ds, version, filter: {}, exclusions: (await consent.snapshotFor(version)).exclusionsFor(version), split: t.lake.services.config.split };
    const read = (sql: string, params: SqlValue[]) => queryColumns(engine, sql, params, {});
    for (const split of [undefined, 'TRAIN' as const]) {
      let after: (string | number)[] | undefined;
      let pages = 0;
      let storedReads = 0;
      for (;;) {
        const s = { ...scope, filter: { split, splitSeed: '' } };
        for (const [limit, offset] of [[251, 0], [252, 249]]) {
          const query = await pageQuery(s, after, limit, offset);
          const asked: string[] = [];
          const page = await readPageColumns(dataset, query, {}, (sql, params) => (asked.push(sql), read(sql, params)));
          expect(page).toEqual(await read(query.sql, query.params));
          // A page with a bound reads the stored order only; the last page has none and reads the sorted query.
          if (query.inStoredOrder) expect(asked).toEqual([query.inStoredOrder.sql]);
          if (query.inStoredOrder) storedReads += 1;
          // On DuckDB the serials of such a page come as their text keys (no UUID parse per row).
          if (query.inStoredOrder) expect(query.inStoredOrder.serials?.size).toBeGreaterThan(0);
        }
        const page = await read((await pageQuery(s, after, 251)).sql, (await pageQuery(s, after, 251)).params);
        pages += 1;
        if (page.rowCount <= 250) break;
        after = dataset.key.map((k) => page.columns[k.name][249] as string | number);
      }
      expect(pages).toBeGreaterThan(3);
      expect(storedReads).toBeGreaterThan(2);
    }
  });

  it('reads serials as text when two of them share a text key, with the same pages', async () => {
    const { engine, consent } = t.lake.services;
    const version = (await engine.manifest())!.versions[0].version;
    // Every serial's key the same: the index cannot tell them apart, so no page may use it.
    const colliding = Object.assign(Object.create(engine) as typeof engine, { dialect: { ...engine.dialect, textKey: () => 'CAST(7 AS BIGINT)' } });
    const ds = columnarDataset(colliding, machineLearningDataset);
    const scope: Scope<Node> = { engine: colliding, dataset: ds, version, filter: {}, exclusions: (await consent.snapshotFor(version)).exclusionsFor(version), split: t.lake.services.config.split };
    const query = await pageQuery(scope, undefined, 251);
    expect(query.inStoredOrder).toBeDefined();
    expect(query.inStoredOrder?.serials).toBeUndefined();
    expect(query.inStoredOrder?.sql).toContain('"serialUuid"');
    const read = (sql: string, params: SqlValue[]) => queryColumns(engine, sql, params, {});
    expect(await readPageColumns(machineLearningDataset, query, {}, read)).toEqual(await read(query.sql, query.params));
  });
});

describe('accelerometer bulk pages through HTTP, a customer revoked after the build', () => {
  let t: TestApp;
  let revoked: string;
  /** The SQL of every columnar read (bulk pages). */
  const columnReads: string[] = [];
  // 60 customers (48 consenting) × 100 readings; pages of 2,000 are bulk pages, the first two bounded (read in stored order).
  beforeAll(async () => {
    const fixture = writeManyCustomersLanding(60, 100);
    t = await buildTestApp({
      landing: fixture.landing,
      wrapEngine: (engine) => {
        const wrapped = Object.create(engine) as typeof engine;
        wrapped.queryColumns = (sql, params, options) => (columnReads.push(sql), engine.queryColumns!(sql, params, options));
        return wrapped;
      },
    });
    revoked = fixture.consenting[25];
    writeRevocation(fixture.landing, revoked);
    await t.lake.services.consent.refresh();
  });
  afterAll(() => t.close());

  it('pages through exactly the rows of the sorted query over what consent leaves, in its order', async () => {
    const document = `query A($first: Int, $after: String) { accelerometerReadings(first: $first, after: $after) {
      edges { node { serialNumber timestamp x y z } } pageInfo { hasNextPage endCursor } } }`;
    const rows: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await t.graphql(document, ANALYST_KEY, { first: 2_000, after });
      expect(res.body.errors).toBeUndefined();
      const page = res.body.data.accelerometerReadings;
      rows.push(...page.edges.map((e: { node: unknown }) => e.node));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const expected = await servableRows(t.lake.services, accelerometerDataset as Dataset<Node>);
    expect(expected).toHaveLength(47 * 100);
    expect(rows).toEqual(expected);
    expect(rows.some((r) => (r as { serialNumber: string }).serialNumber === revoked)).toBe(false);
    // The bounded pages were read unsorted, their serials as text keys (stored-order-read.ts), and none sorted instead.
    const pageReads = columnReads.filter((sql) => sql.includes('accelerometer_trusted'));
    expect(pageReads.filter((sql) => sql.includes('"serialKey"') && !sql.includes('ORDER BY'))).toHaveLength(2);
    // The last page (no bound: it reaches the end) is the only sorted read.
    expect(pageReads.filter((sql) => sql.includes('ORDER BY'))).toHaveLength(1);
  });
});

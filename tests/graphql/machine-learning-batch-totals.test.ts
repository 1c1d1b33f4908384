import fc from 'fast-check';
import { jsonParts, listOfText, partsText } from '../../src/graphql/column-text';
import { isoColumn } from '../../src/graphql/iso-column';
import { DateTime } from '../../src/graphql/types/scalars';
import { RequestLake } from '../../src/graphql/request-lake';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';
import { answer, prepare, sameWalk, textAndEngineApps } from '../helpers/prepared-batch-text';

/**
 * machineLearningBatch has what its sibling machineLearningSamples has: a
 * totalCount (the same count, consent applied) and the ISO form of its time,
 * from either executor and from prepared column text alike. Generated times
 * are seeded; the seed is in the describe name (STEDI_PROPERTY_SEED replays it).
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

const BATCH = `query Batch($first: Int, $after: String, $split: Split, $filter: ReadingFilter) {
  page: machineLearningBatch(first: $first, after: $after, split: $split, filter: $filter) {
    totalCount rowCount columns { sensorReadingTime sensorReadingTimeIso } pageInfo { hasNextPage endCursor } } }`;
const SAMPLES = `query Samples($first: Int, $after: String, $split: Split, $filter: ReadingFilter) {
  page: machineLearningSamples(first: $first, after: $after, split: $split, filter: $filter) {
    totalCount edges { node { sensorReadingTime sensorReadingTimeIso } } pageInfo { hasNextPage endCursor } } }`;

interface BatchPage {
  totalCount: number;
  rowCount: number;
  columns: { sensorReadingTime: number[]; sensorReadingTimeIso: string[] };
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

async function post<T>(t: TestApp, document: string, variables: Record<string, unknown>): Promise<T> {
  const res = await t.graphql(document, ANALYST_KEY, variables);
  if (res.status !== 200 || res.body.errors) throw new Error(`status ${res.status}: ${JSON.stringify(res.body.errors ?? res.body)}`);
  return res.body.data.page as T;
}

describe('machineLearningBatch totalCount and sensorReadingTimeIso', () => {
  let fixture: ManyCustomers;
  let t: TestApp;
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(12, 4);
    t = await buildTestApp({ landing: fixture.landing, config: { batchText: false } });
  });
  afterAll(() => t.close());

  it.each([
    ['the whole set', {}],
    ['a split', { split: 'TRAIN' }],
    ['one device', { filter: { serialNumber: serialOf(2) } }],
    ['a time window', { filter: { from: 1_655_000_001_000, to: 1_655_000_002_000 } }],
  ])('counts %s as machineLearningSamples does, the same on every page, and times each row in ISO as it does', async (_name, args) => {
    let after: string | null = null;
    let rows = 0;
    for (;;) {
      const batch: BatchPage = await post<BatchPage>(t, BATCH, { first: 5, after, ...args });
      const samples = await post<{ totalCount: number; edges: { node: { sensorReadingTime: number; sensorReadingTimeIso: string } }[] }>(t, SAMPLES, { first: 5, after, ...args });
      expect(batch.totalCount).toBe(samples.totalCount);
      expect(batch.columns.sensorReadingTimeIso).toEqual(samples.edges.map((e) => e.node.sensorReadingTimeIso));
      expect(batch.columns.sensorReadingTimeIso).toEqual(batch.columns.sensorReadingTime.map((ms) => new Date(ms).toISOString()));
      rows += batch.rowCount;
      if (!batch.pageInfo.hasNextPage) break;
      after = batch.pageInfo.endCursor;
    }
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBe((await post<BatchPage>(t, BATCH, { first: 5, ...args })).totalCount);
  });

  it('answers the same JSON from graphql-js (a first request) and from the compiled document', async () => {
    const document = BATCH.replace('query Batch', 'query BatchTotalsCompiledOrNot');
    const bodies: string[] = [];
    for (let i = 0; i < 3; i += 1) bodies.push((await t.graphql(document, ANALYST_KEY, { first: 6 })).text);
    expect(JSON.parse(bodies[0]).data.page.columns.sensorReadingTimeIso).toHaveLength(6);
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
  });

  it('finds where a page starts once for its rows and its totalCount, from the live version or a cursor\'s', async () => {
    // Each start reads the request's consent snapshot (pageStart): its count is how many starts the request made.
    const starts = jest.spyOn(RequestLake.prototype, 'consent');
    const startsOf = async (first: number, fields: string, after: string | null): Promise<number> => {
      starts.mockClear();
      // A `first` of its own for each: no answer is a kept one, made without a start.
      await post(t, `query Starts($first: Int, $after: String) { page: machineLearningBatch(first: $first, after: $after) { ${fields} } }`, { first, after });
      return starts.mock.calls.length;
    };
    try {
      const cursor = (await post<BatchPage>(t, BATCH, { first: 2 })).pageInfo.endCursor;
      for (const after of [null, cursor]) {
        const [pageAlone, withCount] = [await startsOf(after ? 7 : 3, 'rowCount', after), await startsOf(after ? 8 : 4, 'rowCount totalCount', after)];
        expect([after, withCount]).toEqual([after, pageAlone]);
      }
    } finally {
      starts.mockRestore();
    }
  });

  it('leaves out a customer who revokes consent, in the count as in the rows', async () => {
    const before = await post<BatchPage>(t, BATCH, { first: 1000 });
    expect(before.totalCount).toBe(fixture.consenting.length * fixture.readingsPerCustomer);
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(3), serial: serialOf(3), consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-revoke.json');
    await t.lake.services.consent.refresh();
    const after = await post<BatchPage>(t, BATCH, { first: 1000 });
    expect(after.totalCount).toBe(before.totalCount - fixture.readingsPerCustomer);
    expect(after.rowCount).toBe(after.totalCount);
  });
});

describe('sensorReadingTimeIso of batch pages cut from prepared column text', () => {
  let text: TestApp;
  let engine: TestApp;
  let reads: () => number;
  beforeAll(async () => {
    ({ text, engine, reads } = await textAndEngineApps(writeManyCustomersLanding(9, 3).landing));
  });
  afterAll(async () => {
    await text.close();
    await engine.close();
  });

  it('answers the text the engine path answers, without reading the engine', async () => {
    await prepare(text);
    const document = 'query Iso($first: Int, $after: String) { machineLearningBatch(first: $first, after: $after) { totalCount columns { sensorReadingTimeIso serialNumber } pageInfo { hasNextPage endCursor } } }';
    await answer(text, document, { first: 4 });
    const before = reads();
    const { pages } = await sameWalk(engine, text, document, { first: 4 });
    expect(pages).toBeGreaterThan(1);
    expect(reads()).toBe(before);
  });
});

describe(`isoColumn (seed ${SEED})`, () => {
  const asScalar = (times: number[]): string => JSON.stringify(times.map((ms) => DateTime.serialize(ms)));
  const written = (list: readonly unknown[]): string => partsText(jsonParts({ list })!);

  it('writes, as its text and as its JSON, what the DateTime scalar writes for each time, from a list or from its text', () => {
    const times = fc.array(fc.oneof(fc.integer({ min: -1e13, max: 4e13 }), fc.maxSafeInteger(), fc.constant(Number.MIN_SAFE_INTEGER), fc.constant(0)), { maxLength: 30 });
    fc.assert(
      fc.property(times, (ms) => {
        const expected = `{"list":${asScalar(ms)}}`;
        for (const source of [ms, listOfText(JSON.stringify(ms))]) {
          const iso = isoColumn(source);
          expect(written(iso)).toBe(expected);
          expect(JSON.stringify({ list: iso })).toBe(expected);
          // graphql-js completes it item by item through the scalar.
          expect(JSON.stringify({ list: [...iso].map((v) => DateTime.serialize(v)) })).toBe(expected);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

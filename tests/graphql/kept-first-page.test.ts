import type { Engine } from '../../etl/engine/engine';
import { machineLearningDataset } from '../../src/graphql/datasets/machine-learning.dataset';
import { fetchPage, PageReadAhead, READ_AHEAD_MIN_ROWS, readAheadOf } from '../../src/graphql/page-read-ahead';
import type { Scope } from '../../src/graphql/page-query';
import type { MachineLearningSample } from '../../src/graphql/types/machine-learning-sample.type';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding, writeRevocation, type ManyCustomers } from '../helpers/many-customers-landing';

// Its exports as plain properties, so jest.spyOn can replace them: swc compiles a module's exports to read-only getters.
jest.mock('../../src/graphql/page-query', () => ({ __esModule: true, ...jest.requireActual<object>('../../src/graphql/page-query') }));

/**
 * The training set's first page (no cursor), kept once read: a later walk of
 * the same query takes it without reading it again, and still opens its walk
 * (the next page hinted to the other worker); another query, the batch's
 * pages (the same keys) and a failed read are not kept; a revocation misses it
 * (the query holds the consent exclusions) and its rows are checked when served.
 */

type Rows = Array<{ at: number }>;

describe("the training set's first page kept for the next walk", () => {
  const scope = { dataset: { ...machineLearningDataset, boundedPages: true } } as unknown as Scope<MachineLearningSample>;
  const setUp = () => {
    const sqls: string[] = [];
    const read = async ({ sql }: { sql: string }): Promise<Rows> => {
      sqls.push(sql);
      if (sql === 'fails') throw new Error('engine down');
      return Array.from({ length: READ_AHEAD_MIN_ROWS + 1 }, (_, i) => ({ at: i }));
    };
    const store = new PageReadAhead(2, 4, 10_000);
    const hints: unknown[] = [];
    store.relay = (h) => hints.push(h);
    const page = (sql: string, edges = true) =>
      fetchPage<MachineLearningSample, Rows>({ readAhead: store, scope, query: { sql, params: [] }, first: READ_AHEAD_MIN_ROWS, shape: 'columns', read, rowCount: (r) => r.length, slice: (r, a, b) => r.slice(a, b), keyAt: (r, i) => [r[i].at], timeoutMs: 1000, readAheadTimeoutMs: 1000, opensWalk: true, edges });
    return { sqls, hints, page };
  };

  it('reads the first page of a walk of edges once, and each walk still hints its next page', async () => {
    const { sqls, hints, page } = setUp();
    const next = jest.spyOn(await import('../../src/graphql/page-query'), 'pageQuery').mockImplementation(async (_s, after) => ({ sql: `after ${JSON.stringify(after)}`, params: [] }));
    try {
      const first = await page('first page');
      expect(await page('first page')).toBe(first);
      expect(sqls).toEqual(['first page']);
      expect(hints).toEqual([expect.objectContaining({ ahead: 1 }), expect.objectContaining({ ahead: 1 })]);
    } finally {
      next.mockRestore();
    }
  });

  it("keeps one first page, not the batch's, nor a failed read", async () => {
    const { sqls, page } = setUp();
    await page('first page');
    await page('other first page');
    await page('first page');
    await page('batch', false);
    await page('batch', false);
    await expect(page('fails')).rejects.toThrow('engine down');
    await expect(page('fails')).rejects.toThrow('engine down');
    expect(sqls).toEqual(['first page', 'other first page', 'first page', 'batch', 'batch', 'fails', 'fails']);
  });
});

const PAGE = 2_500;
const SAMPLES = `query S($first: Int, $after: String) { machineLearningSamples(first: $first, after: $after) {
  edges { node { serialNumber sensorReadingTime distanceFromObject x y z sensorReadingTimeIso } } pageInfo { hasNextPage endCursor } } }`;

describe("the training set's kept first page, through HTTP", () => {
  let fixture: ManyCustomers;
  let t: TestApp;
  /** The SQL of every page read as columns. */
  const reads: string[] = [];
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(60, 100);
    const wrapEngine = (inner: Engine): Engine => {
      const engine = Object.create(inner) as Engine;
      engine.queryColumns = (sql, params, options) => {
        reads.push(sql);
        return inner.queryColumns!(sql, params, options);
      };
      return engine;
    };
    t = await buildTestApp({ landing: fixture.landing, config: { workers: 2 }, wrapEngine });
    readAheadOf(t.lake.services).relay = () => undefined;
  });
  afterAll(() => t.close());

  it('never answers a first page kept before a revocation with the revoked customer', async () => {
    const serialsOf = (text: string): string[] => JSON.parse(text).data.machineLearningSamples.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber);
    {
      const before = await t.graphql(SAMPLES, ANALYST_KEY, { first: PAGE });
      const readsOnce = reads.length;
      expect(readsOnce).toBeGreaterThan(0);
      // The same first page again: kept, not read.
      expect((await t.graphql(SAMPLES, ANALYST_KEY, { first: PAGE })).text).toBe(before.text);
      expect(reads.length).toBe(readsOnce);
      const serial = fixture.consenting[5];
      expect(serialsOf(before.text)).toContain(serial);
      writeRevocation(fixture.landing, serial);
      await t.lake.services.consent.refresh();
      const after = await t.graphql(SAMPLES, ANALYST_KEY, { first: PAGE });
      expect(serialsOf(after.text)).not.toContain(serial);
      expect(serialsOf(after.text)).toHaveLength(PAGE);
      expect(after.text).toBe((await t.graphql(`${SAMPLES} # reference`, ANALYST_KEY, { first: PAGE })).text);
      // Read again: the consent exclusions of its query changed.
      expect(reads.length).toBeGreaterThan(readsOnce);
    }
  });
});

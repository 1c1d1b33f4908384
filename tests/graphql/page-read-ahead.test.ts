import type { ConsentSnapshot } from '../../src/consent/consent-snapshot';
import { visibleNodes, visibleNodesOfColumns } from '../../src/graphql/connection';
import { machineLearningDataset } from '../../src/graphql/datasets/machine-learning.dataset';
import type { Logger } from '../../src/logger';
import { fetchPage, PageReadAhead, READ_AHEAD_MIN_ROWS, readAheadOf } from '../../src/graphql/page-read-ahead';
import type { Scope } from '../../src/graphql/page-query';
import type { MachineLearningSample } from '../../src/graphql/types/machine-learning-sample.type';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';

const FIELDS = 'serialNumber sensorReadingTime distanceFromObject x y z';
const SAMPLES = `query S($first: Int, $after: String, $split: Split) { page: machineLearningSamples(first: $first, after: $after, split: $split) {
  edges { cursor node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const BATCH = `query B($first: Int, $after: String, $split: Split) { page: machineLearningBatch(first: $first, after: $after, split: $split) {
  rowCount columns { ${FIELDS} } pageInfo { hasNextPage endCursor } } }`;

type Page = { edges?: { cursor: string; node: Record<string, unknown> }[]; rowCount?: number; columns?: Record<string, unknown[]>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function post(t: TestApp, document: string, variables: Record<string, unknown>): Promise<Page> {
  const res = await t.graphql(document, ANALYST_KEY, variables);
  if (res.status !== 200 || res.body.errors) throw new Error(`status ${res.status}: ${JSON.stringify(res.body.errors ?? res.body)}`);
  return res.body.data.page;
}

const rowsOf = (page: Page): Record<string, unknown>[] =>
  page.edges ? page.edges.map((e) => e.node) : Array.from({ length: page.rowCount! }, (_, i) => Object.fromEntries(FIELDS.split(' ').map((f) => [f, page.columns![f][i]])));

async function walk(t: TestApp, document: string, first: number, args: Record<string, unknown> = {}): Promise<{ rows: Record<string, unknown>[]; cursors: (string | null)[] }> {
  const rows: Record<string, unknown>[] = [];
  const cursors: (string | null)[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await post(t, document, { first, after, ...args });
    rows.push(...rowsOf(page));
    cursors.push(page.pageInfo.endCursor);
    if (!page.pageInfo.hasNextPage) return { rows, cursors };
    after = page.pageInfo.endCursor;
  }
}

describe('bulk pages: the next page read ahead, large pages read as columns', () => {
  let fixture: ManyCustomers;
  let t: TestApp;
  // 30 customers (24 consenting) × 100 rows: 2,400 training rows, pages of 1,000 read ahead.
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(30, 100);
    // As a cluster of two workers serves (whatever this machine's cores): two pages read ahead.
    t = await buildTestApp({ landing: fixture.landing, config: { workers: 2 } });
  });
  afterAll(() => t.close());

  it('pages through the same rows, order and cursors as one page holding them all, in rows and in columns', async () => {
    const whole = await post(t, SAMPLES, { first: 10_000 });
    const samples = await walk(t, SAMPLES, READ_AHEAD_MIN_ROWS);
    const batch = await walk(t, BATCH, READ_AHEAD_MIN_ROWS);
    expect(samples.rows).toHaveLength(fixture.consenting.length * 100);
    expect(samples.rows).toEqual(rowsOf(whole));
    expect(batch.rows).toEqual(rowsOf(whole));
    // Each page's endCursor is the cursor of its last row in the one-page answer.
    const cursors = whole.edges!.map((e) => e.cursor);
    expect(samples.cursors).toEqual([cursors[999], cursors[1999], cursors[2399]]);
    expect(batch.cursors).toEqual(samples.cursors);
    // Pages of 2,000 rows and more are read as columns (no row objects): the same rows and cursors again.
    const bulk = await walk(t, SAMPLES, 2_000);
    expect(bulk.rows).toEqual(rowsOf(whole));
    expect(bulk.cursors).toEqual([cursors[1999], cursors[2399]]);
    expect((await walk(t, BATCH, 2_000)).cursors).toEqual(bulk.cursors);
    const split = await walk(t, SAMPLES, READ_AHEAD_MIN_ROWS, { split: 'TRAIN' });
    expect(split.rows).toEqual(rowsOf(await post(t, SAMPLES, { first: 10_000, split: 'TRAIN' })));
  });

  it('answers the next page from the read started for it, and reads nothing ahead for small pages', async () => {
    const readAhead = readAheadOf(t.lake.services);
    const take = jest.spyOn(readAhead, 'take');
    const start = jest.spyOn(readAhead, 'start');
    try {
      const first = await post(t, BATCH, { first: READ_AHEAD_MIN_ROWS });
      expect(start).toHaveBeenCalled();
      await post(t, BATCH, { first: READ_AHEAD_MIN_ROWS, after: first.pageInfo.endCursor });
      expect(await take.mock.results[1].value).toBeDefined();
      start.mockClear();
      await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS - 1 });
      expect(start).not.toHaveBeenCalled();
    } finally {
      take.mockRestore();
      start.mockRestore();
    }
  });

  it('answers page 3 from the read made after page 1, as a worker does when the pages alternate between workers', async () => {
    const whole = await post(t, SAMPLES, { first: 10_000 });
    const cursors = whole.edges!.map((e) => e.cursor);
    const readAhead = readAheadOf(t.lake.services);
    const take = jest.spyOn(readAhead, 'take');
    const kept = readAhead.size;
    try {
      await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS });
      // Page 2 goes to the other worker; this one is asked for page 3 next.
      const third = await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS, after: cursors[2 * READ_AHEAD_MIN_ROWS - 1] });
      expect(await take.mock.results[1].value).toBeDefined();
      expect(rowsOf(third)).toEqual(rowsOf(whole).slice(2 * READ_AHEAD_MIN_ROWS));
      expect(third.pageInfo).toEqual({ hasNextPage: false, endCursor: cursors[cursors.length - 1] });
      // Page 2's copy went with it: a client past page 3 never asks for page 2 again.
      expect(readAhead.size).toBe(kept);
    } finally {
      take.mockRestore();
    }
  });

  it('never answers page 3, read ahead with page 2 before a revocation, with the revoked customer', async () => {
    const serial = serialOf(26);
    const whole = await post(t, SAMPLES, { first: 10_000 });
    const cursors = whole.edges!.map((e) => e.cursor);
    expect(rowsOf(whole).slice(2 * READ_AHEAD_MIN_ROWS).map((r) => r.serialNumber)).toContain(serial);
    const store = readAheadOf(t.lake.services);
    const kept = store.size;
    await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS });
    // Pages 2 and 3 are read (one query) and kept before the revocation.
    for (let waited = 0; store.size < kept + 2 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.size).toBe(kept + 2);
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(26), serial, consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-revoke-26.json');
    await t.lake.services.consent.refresh();
    const take = jest.spyOn(store, 'take');
    let third: Page;
    try {
      third = await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS, after: cursors[2 * READ_AHEAD_MIN_ROWS - 1] });
      // The read made before the revocation is not taken: its query held the old exclusions.
      expect(take.mock.results[0].value).toBeUndefined();
    } finally {
      take.mockRestore();
    }
    const serials = rowsOf(third).map((r) => r.serialNumber);
    expect(serials).not.toContain(serial);
    expect(serials).toContain(serialOf(27));
  });

  it('never answers a page read ahead before a revocation with the revoked customer', async () => {
    // Page 2 of 1,000 holds the 11th to 20th consenting customers; serial 15 is among them.
    const serial = serialOf(15);
    const first = await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS });
    expect(rowsOf(first).map((r) => r.serialNumber)).not.toContain(serial);
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(15), serial, consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-revoke-15.json');
    await t.lake.services.consent.refresh();
    const second = await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS, after: first.pageInfo.endCursor });
    const serials = rowsOf(second).map((r) => r.serialNumber);
    expect(serials).toHaveLength(READ_AHEAD_MIN_ROWS);
    expect(serials).not.toContain(serial);
    expect(serials).toContain(serialOf(16));
  });
});

describe('nodes of a bulk page read as columns, and the consent check in JS', () => {
  it('makes the same nodes as from rows, and drops and logs rows of a customer the snapshot hides', () => {
    const consent = { hiddenSerials: new Set(['s2']), hiddenEmails: new Set(), generation: 7 } as unknown as ConsentSnapshot;
    const warn = jest.fn();
    const logger = { warn } as unknown as Logger;
    const rows = [1, 2, 3].map((i) => ({ serialNumber: `s${i}`, sensorReadingTime: 1000 + i, distanceFromObject: i, x: i / 2, y: -i, z: 0 }));
    const columns = { rowCount: 3, columns: Object.fromEntries(Object.keys(rows[0]).map((k) => [k, rows.map((r) => r[k as keyof (typeof rows)[0]])])) };
    const fromColumns = visibleNodesOfColumns(machineLearningDataset, columns, 'v1', consent, logger);
    expect(fromColumns).toEqual(visibleNodes(machineLearningDataset, rows, 'v1', consent, logger));
    expect(fromColumns.map((n) => [n.serialNumber, n.x, n.version])).toEqual([['s1', 0.5, 'v1'], ['s3', 1.5, 'v1']]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ dropped: 1, generation: 7 }), expect.any(String));
  });
});

describe('the read-ahead store', () => {
  it('gives a read once, forgets it once expired, and starts no read while full', async () => {
    let now = 0;
    const store = new PageReadAhead(2, 2, 100, () => now);
    store.start('a', async () => 'A');
    expect(await store.take('a')).toBe('A');
    expect(store.take('a')).toBeUndefined();
    store.start('b', async () => 'B');
    now = 150;
    expect(store.take('b')).toBeUndefined();
    const reads: string[] = [];
    const read = (value: string) => async () => {
      reads.push(value);
      return value;
    };
    store.start('c', read('C'));
    store.start('d', read('D'));
    store.start('e', read('E'));
    expect(reads).toEqual(['C', 'D']);
    expect(store.size).toBe(2);
    expect(store.take('e')).toBeUndefined();
    // Expired entries make room again.
    now = 300;
    store.start('f', read('F'));
    expect(store.size).toBe(1);
    expect(await store.take('f')).toBe('F');
  });

  it('drops the page read with a page once that later page is taken, and says whether a read started', async () => {
    const store = new PageReadAhead(2, 3, 100, () => 0);
    expect(store.start('p2', async () => 2)).toBe(true);
    expect(store.start('p2', async () => 2)).toBe(false);
    expect(store.start('p3', async () => 3, 'p2')).toBe(true);
    expect(store.has('p2')).toBe(true);
    expect(await store.take('p3')).toBe(3);
    expect(store.has('p2')).toBe(false);
    expect(store.size).toBe(0);
    expect(store.room()).toBe(3);
  });

  it('reads one page ahead, not two, when the store has room for one result only', async () => {
    const store = new PageReadAhead(2, 2, 10_000);
    store.start('other client', async () => 0);
    const sqls: string[] = [];
    const read = async (sql: string) => {
      sqls.push(sql);
      return Array.from({ length: 21 }, (_, i) => ({ i }));
    };
    const query = { sql: 'SELECT page 1', params: [] };
    const scope = { dataset: { ...machineLearningDataset, boundedPages: true } } as unknown as Scope<MachineLearningSample>;
    const next = jest.spyOn(await import('../../src/graphql/page-query'), 'pageQuery').mockImplementation(async (_s, _after, limit) => ({ sql: `SELECT ${limit} rows`, params: [] }));
    try {
      await fetchPage({ readAhead: store, scope, query, first: READ_AHEAD_MIN_ROWS, shape: 'rows', read, rowCount: () => READ_AHEAD_MIN_ROWS + 1, slice: (r) => r, truncate: (r) => r, keyAt: () => [], timeoutMs: 1000, readAheadTimeoutMs: 1000 });
      for (let i = 0; i < 50 && sqls.length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(sqls).toEqual(['SELECT page 1', `SELECT ${READ_AHEAD_MIN_ROWS + 1} rows`]);
      expect(store.size).toBe(2);
    } finally {
      next.mockRestore();
    }
  });

  it('drops a read that failed, and a page whose read ahead failed is read again under its own request', async () => {
    const store = new PageReadAhead();
    const failed = Promise.reject(new Error('timed out while nobody waited'));
    store.start('x', () => failed);
    await expect(failed).rejects.toThrow();
    await Promise.resolve();
    expect(store.take('x')).toBeUndefined();

    const query = { sql: 'SELECT page', params: [] };
    const reads: string[] = [];
    const read = async (sql: string) => {
      reads.push(sql);
      return [{ n: 1 }];
    };
    const late = Promise.reject(new Error('timeout'));
    late.catch(() => undefined);
    store.start(`rows\u0000${query.sql}\u0000[]`, () => late);
    const scope = { dataset: machineLearningDataset } as unknown as Scope<MachineLearningSample>;
    const rows = await fetchPage({ readAhead: store, scope, query, first: 10, shape: 'rows', read, rowCount: (r) => r.length, slice: (r, a, b) => r.slice(a, b), truncate: (r) => r, keyAt: () => [], timeoutMs: 1000, readAheadTimeoutMs: 1000 });
    expect(rows).toEqual([{ n: 1 }]);
    expect(reads).toEqual(['SELECT page']);
  });
});

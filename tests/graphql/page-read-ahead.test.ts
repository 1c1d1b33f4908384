import { createSnapshot } from '../../src/consent/consent-snapshot';
import { visibleNodes, visibleNodesOfColumns } from '../../src/graphql/connection';
import { machineLearningDataset } from '../../src/graphql/datasets/machine-learning.dataset';
import type { Logger } from '../../src/logger';
import { fetchPage, PageReadAhead, READ_AHEAD_MIN_ROWS, readAheadOf } from '../../src/graphql/page-read-ahead';
import type { Scope } from '../../src/graphql/page-query';
import type { PageHint } from '../../src/graphql/page-hints';
import type { MachineLearningSample } from '../../src/graphql/types/machine-learning-sample.type';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';

// Its exports as plain properties, so jest.spyOn can replace them: swc compiles a module's exports to read-only getters.
jest.mock('../../src/graphql/page-query', () => ({ __esModule: true, ...jest.requireActual<object>('../../src/graphql/page-query') }));

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
    // As a cluster of two workers serves (whatever this machine's cores): two pages read ahead. No whole answers kept:
    // a page of 1,000 rows fits the cache, and one an earlier test asked would be answered before any read (ahead).
    t = await buildTestApp({ landing: fixture.landing, config: { workers: 2, batchText: false, responseCacheBytes: 0 } }); // the engine's pages: prepared batch text reads none ahead
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

  it('answers each page of a client reading every page from one process from the read started for it, and reads nothing ahead for small pages', async () => {
    const readAhead = readAheadOf(t.lake.services);
    const take = jest.spyOn(readAhead, 'take');
    const start = jest.spyOn(readAhead, 'start');
    const startPending = jest.spyOn(readAhead, 'startPending');
    try {
      const first = await post(t, BATCH, { first: READ_AHEAD_MIN_ROWS });
      // No page served before in this process: it reads the page after next (the other worker serves the next).
      expect(startPending).toHaveBeenCalledTimes(1);
      const second = await post(t, BATCH, { first: READ_AHEAD_MIN_ROWS, after: first.pageInfo.endCursor });
      take.mockClear();
      // Page 2 followed page 1 in this process: page 3 was under way already, and is taken.
      await post(t, BATCH, { first: READ_AHEAD_MIN_ROWS, after: second.pageInfo.endCursor });
      expect(take.mock.results.some((r) => r.value !== undefined)).toBe(true);
      start.mockClear();
      startPending.mockClear();
      await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS - 1 });
      expect(start).not.toHaveBeenCalled();
      expect(startPending).not.toHaveBeenCalled();
    } finally {
      take.mockRestore();
      start.mockRestore();
      startPending.mockRestore();
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
      take.mockClear();
      // Page 2 goes to the other worker; this one is asked for page 3 next.
      const third = await post(t, SAMPLES, { first: READ_AHEAD_MIN_ROWS, after: cursors[2 * READ_AHEAD_MIN_ROWS - 1] });
      expect(take.mock.results.some((r) => r.value !== undefined)).toBe(true);
      expect(rowsOf(third)).toEqual(rowsOf(whole).slice(2 * READ_AHEAD_MIN_ROWS));
      expect(third.pageInfo).toEqual({ hasNextPage: false, endCursor: cursors[cursors.length - 1] });
      // Only page 3 was read and kept: nothing of page 2 is left behind.
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
    // Page 3 is read (page 2's rows skipped) and kept before the revocation.
    for (let waited = 0; (store.pendingReads > 0 || store.size < kept + 1) && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.pendingReads).toBe(0);
    expect(store.size).toBe(kept + 1);
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
    const consent = createSnapshot(7, new Set(['s2']), new Set(), new Map());
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

  it('keeps a page whose key is known only once read, and a request missing it meanwhile waits for it', async () => {
    const store = new PageReadAhead(2, 3, 10_000);
    let finish: (value: { key: string; page: unknown }) => void = () => undefined;
    expect(store.startPending('walk', () => new Promise((resolve) => (finish = resolve)))).toBe(true);
    expect(store.size).toBe(1);
    expect(store.room()).toBe(2);
    expect(store.take('p3')).toBeUndefined();
    const waiting = store.takeAfterPending('p3', 'walk', 5_000);
    // Another walk's request does not wait for this one's read.
    expect(await store.takeAfterPending('p3', 'other walk', 5_000)).toBeUndefined();
    finish({ key: 'p3', page: 3 });
    expect(await (await waiting)).toBe(3);
    expect(store.size).toBe(0);
    expect(store.pendingReads).toBe(0);
    // A failed read leaves nothing behind; a read that found no page keeps nothing.
    store.startPending('walk', async () => Promise.reject(new Error('timeout')));
    store.startPending('walk', async () => undefined);
    expect(await store.takeAfterPending('p4', 'walk', 5_000)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it("gives up waiting for a read under way after the request's own time", async () => {
    const store = new PageReadAhead(2, 3, 10_000);
    store.startPending('walk', () => new Promise(() => undefined));
    const started = performance.now();
    expect(await store.takeAfterPending('p3', 'walk', 50)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("reads the page after next alone (the next page's rows skipped), and the next page once this process serves consecutive pages", async () => {
    const store = new PageReadAhead(2, 4, 10_000);
    const sqls: string[] = [];
    // Rows numbered in key order: `after [a] offset o limit l` reads rows a + 1 + o .. a + o + l.
    const read = async ({ sql }: { sql: string }) => {
      sqls.push(sql);
      const [, a, o, l] = /after \[(\d+)\] offset (\d+) limit (\d+)/.exec(sql)?.map(Number) ?? [0, -1, 0, READ_AHEAD_MIN_ROWS + 1];
      return Array.from({ length: l }, (_, i) => ({ at: a + 1 + o + i }));
    };
    const scope = { dataset: { ...machineLearningDataset, boundedPages: true } } as unknown as Scope<MachineLearningSample>;
    const next = jest
      .spyOn(await import('../../src/graphql/page-query'), 'pageQuery')
      .mockImplementation(async (_s, after, limit, offset = 0) => ({ sql: `after ${JSON.stringify(after)} offset ${offset} limit ${limit}`, params: [] }));
    const page = (sql: string) =>
      fetchPage({ readAhead: store, scope, query: { sql, params: [] }, first: READ_AHEAD_MIN_ROWS, shape: 'rows', read, rowCount: (r) => r.length, slice: (r, a, b) => r.slice(a, b), keyAt: (r, i) => [r[i].at], timeoutMs: 1000, readAheadTimeoutMs: 1000 });
    const settled = async (reads: number) => {
      for (let i = 0; i < 100 && (sqls.length < reads || store.pendingReads > 0); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    try {
      await page('page 1');
      await settled(2);
      // After page 1's last row (index 999): page 2's first 999 rows skipped, its last kept (page 3 starts after it), then page 3 and one more.
      expect(sqls).toEqual(['page 1', `after [${READ_AHEAD_MIN_ROWS - 1}] offset ${READ_AHEAD_MIN_ROWS - 1} limit ${READ_AHEAD_MIN_ROWS + 2}`]);
      // Page 3 is kept under its own query's key: after the first row read (page 2's last), and holds rows 2,000..3,000.
      const third = `rows\u0000after [${2 * READ_AHEAD_MIN_ROWS - 1}] offset 0 limit ${READ_AHEAD_MIN_ROWS + 1}\u0000[]`;
      expect(store.has(third)).toBe(true);
      // Page 2 asked of this same process: read now; page 3 is under way already, so nothing more is read.
      sqls.length = 0;
      await page(`after [${READ_AHEAD_MIN_ROWS - 1}] offset 0 limit ${READ_AHEAD_MIN_ROWS + 1}`);
      await settled(1);
      expect(sqls).toEqual([`after [${READ_AHEAD_MIN_ROWS - 1}] offset 0 limit ${READ_AHEAD_MIN_ROWS + 1}`]);
      const rows = (await store.take<{ at: number }[]>(third))!;
      expect(rows.map((r) => r.at)).toEqual(Array.from({ length: READ_AHEAD_MIN_ROWS + 1 }, (_, i) => 2 * READ_AHEAD_MIN_ROWS + i));
    } finally {
      next.mockRestore();
    }
  });

  it('reads nothing ahead after a page that continues no walk: a single process from the second consecutive page, two workers once the next page was noted or taken', async () => {
    const sqls: string[] = [];
    const read = async ({ sql }: { sql: string }) => {
      sqls.push(sql);
      const a = Number(/after \[(\d+)\]/.exec(sql)?.[1] ?? -1);
      return Array.from({ length: READ_AHEAD_MIN_ROWS + 1 }, (_, i) => ({ at: a + 1 + i }));
    };
    const scope = { dataset: { ...machineLearningDataset, boundedPages: true } } as unknown as Scope<MachineLearningSample>;
    const next = jest
      .spyOn(await import('../../src/graphql/page-query'), 'pageQuery')
      .mockImplementation(async (_s, after, limit, offset = 0) => ({ sql: `after ${JSON.stringify(after)} offset ${offset} limit ${limit}`, params: [] }));
    const after = (n: number) => `after [${n * READ_AHEAD_MIN_ROWS - 1}] offset 0 limit ${READ_AHEAD_MIN_ROWS + 1}`;
    const page = (store: PageReadAhead, sql: string, shape = 'rows') =>
      fetchPage({ readAhead: store, scope, query: { sql, params: [] }, first: READ_AHEAD_MIN_ROWS, shape, read, rowCount: (r) => r.length, slice: (r, a, b) => r.slice(a, b), keyAt: (r, i) => [r[i].at], timeoutMs: 1000, readAheadTimeoutMs: 1000 });
    const settled = () => new Promise((resolve) => setTimeout(resolve, 20));
    try {
      const single = new PageReadAhead(1, 4, 10_000);
      await page(single, 'page 1');
      await page(single, after(5));
      await settled();
      expect(sqls).toEqual(['page 1', after(5)]);
      sqls.length = 0;
      await page(single, after(6));
      await settled();
      expect(sqls).toEqual([after(6), after(7)]);
      expect(single.has(`rows\u0000${after(7)}\u0000[]`)).toBe(true);

      const worker = new PageReadAhead(2, 4, 10_000);
      const hints: PageHint[] = [];
      worker.relay = (h) => hints.push(h);
      sqls.length = 0;
      await page(worker, 'page 1', 'columns');
      await settled();
      expect(hints.map((h) => h.ahead)).toEqual([0]);
      worker.expectNext(`columns\u0000${after(3)}\u0000[]`);
      await page(worker, after(3), 'columns');
      worker.start(`columns\u0000${after(8)}\u0000[]`, () => read({ sql: after(8) }));
      await page(worker, after(8), 'columns');
      await settled();
      expect(hints.map((h) => h.ahead)).toEqual([0, 1, 1]);
      expect(sqls).toEqual(['page 1', after(3), after(8)]);
    } finally {
      next.mockRestore();
    }
  });

  it("hints the next page to the other worker before the page is handed back to be answered (the other worker reads while this one writes)", async () => {
    const read = async () => Array.from({ length: READ_AHEAD_MIN_ROWS + 1 }, (_, i) => ({ at: i }));
    const scope = { dataset: { ...machineLearningDataset, boundedPages: true } } as unknown as Scope<MachineLearningSample>;
    // The next page's query is built after a few turns of the event loop's microtasks, as the real one may be.
    const next = jest.spyOn(await import('../../src/graphql/page-query'), 'pageQuery').mockImplementation(async (_s, after) => {
      for (let i = 0; i < 5; i += 1) await Promise.resolve();
      return { sql: `after ${JSON.stringify(after)}`, params: [] };
    });
    try {
      const worker = new PageReadAhead(2, 4, 10_000);
      const hints: PageHint[] = [];
      worker.relay = (h) => hints.push(h);
      const fetching = fetchPage({ readAhead: worker, scope, query: { sql: 'page 1', params: [] }, first: READ_AHEAD_MIN_ROWS, shape: 'columns', read, rowCount: (r) => r.length, slice: (r, a, b) => r.slice(a, b), keyAt: (r, i) => [r[i].at], timeoutMs: 1000, readAheadTimeoutMs: 1000, opensWalk: true });
      let hintsWhenHanded = -1;
      await fetching.then(() => void (hintsWhenHanded = hints.length));
      expect(hintsWhenHanded).toBe(1);
      expect(hints[0]).toMatchObject({ ahead: 1, after: [READ_AHEAD_MIN_ROWS - 1] });
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
    const read = async ({ sql }: { sql: string }) => {
      reads.push(sql);
      return [{ n: 1 }];
    };
    const late = Promise.reject(new Error('timeout'));
    late.catch(() => undefined);
    store.start(`rows\u0000${query.sql}\u0000[]`, () => late);
    const scope = { dataset: machineLearningDataset } as unknown as Scope<MachineLearningSample>;
    const rows = await fetchPage({ readAhead: store, scope, query, first: 10, shape: 'rows', read, rowCount: (r) => r.length, slice: (r, a, b) => r.slice(a, b), keyAt: () => [], timeoutMs: 1000, readAheadTimeoutMs: 1000 });
    expect(rows).toEqual([{ n: 1 }]);
    expect(reads).toEqual(['SELECT page']);
  });
});

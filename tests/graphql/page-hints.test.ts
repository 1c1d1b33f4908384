import { followHint, MAX_AHEAD, type PageHint, readHintedPage } from '../../src/graphql/page-hints';
import { PageReadAhead, READ_AHEAD_MIN_ROWS, readAheadOf } from '../../src/graphql/page-read-ahead';
import { hintedApp } from '../helpers/hinted-app';
import { ANALYST_KEY, type TestApp } from '../helpers/http-app';
import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf } from '../helpers/many-customers-landing';

const FIELDS = 'serialNumber sensorReadingTime distanceFromObject x y z';
const BATCH = `query B($first: Int, $after: String) { page: machineLearningBatch(first: $first, after: $after) {
  rowCount columns { ${FIELDS} } pageInfo { hasNextPage endCursor } } }`;

type Page = { rowCount: number; columns: Record<string, unknown[]>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function post(t: TestApp, variables: Record<string, unknown>): Promise<Page> {
  const res = await t.graphql(BATCH, ANALYST_KEY, variables);
  if (res.status !== 200 || res.body.errors) throw new Error(`status ${res.status}: ${JSON.stringify(res.body.errors ?? res.body)}`);
  return res.body.data.page;
}

const rowsOf = (page: Page) => Array.from({ length: page.rowCount }, (_, i) => FIELDS.split(' ').map((f) => page.columns[f][i]));

describe('a page hinted at by the other worker', () => {
  const hint: PageHint = { kind: 'MachineLearningSample', version: 'v1', filter: {}, after: ['s', 1], first: 2, shape: 'columns', ahead: 1 };
  const page = (key: string, reads: string[]) => ({
    key,
    read: async () => (reads.push(key), [`${key} row 1`, `${key} row 2`, `${key} next`]),
    rowCount: (rows: string[]) => rows.length,
    keyAt: (rows: string[], i: number) => [rows[i]],
  });

  it('is read and kept for its request, and the page after it is hinted on, one page further ahead', async () => {
    const store = new PageReadAhead();
    const hints: PageHint[] = [];
    store.relay = (h) => hints.push(h);
    const reads: string[] = [];
    await followHint(store, hint, page('p2', reads));
    expect(reads).toEqual(['p2']);
    expect(await store.take('p2')).toEqual(['p2 row 1', 'p2 row 2', 'p2 next']);
    expect(hints).toEqual([{ ...hint, after: ['p2 row 2'], ahead: 2 }]);
    // Held already: not read again, and the page after it is hinted on.
    hints.length = 0;
    await followHint(store, hint, page('p3', reads));
    await followHint(store, hint, page('p3', reads));
    expect(reads).toEqual(['p2', 'p3']);
    expect(hints).toHaveLength(2);
    // MAX_AHEAD pages ahead: read, and no further hint.
    hints.length = 0;
    await followHint(store, { ...hint, ahead: MAX_AHEAD }, page('p4', reads));
    expect(reads).toEqual(['p2', 'p3', 'p4']);
    expect(hints).toEqual([]);
  });

  it('is prepared once it is the next page asked here (one ahead), not while read two ahead', async () => {
    const store = new PageReadAhead();
    store.relay = () => undefined;
    const prepared: string[][] = [];
    const prepare = (rows: string[]) => void prepared.push(rows);
    await followHint(store, { ...hint, ahead: MAX_AHEAD }, { ...page('p3', []), prepare });
    expect(prepared).toEqual([]);
    // The hint one ahead comes when the other worker answers the page before: the page held is prepared then.
    await followHint(store, hint, { ...page('p3', []), prepare });
    expect(prepared).toEqual([['p3 row 1', 'p3 row 2', 'p3 next']]);
    expect(await store.take('p3')).toBe(prepared[0]);
  });

  it('is only noted, not read, after a page that continued no walk; a request for it then shows a walk, once', async () => {
    const store = new PageReadAhead();
    const hints: PageHint[] = [];
    store.relay = (h) => hints.push(h);
    const reads: string[] = [];
    await followHint(store, { ...hint, ahead: 0 }, page('p2', reads));
    expect(reads).toEqual([]);
    expect(hints).toEqual([]);
    expect(store.size).toBe(0);
    expect(store.continuesWalk('p3')).toBe(false);
    expect(store.continuesWalk('p2')).toBe(true);
    expect(store.continuesWalk('p2')).toBe(false);
  });

  it('forgets a noted page once it expires', async () => {
    let now = 0;
    const store = new PageReadAhead(2, 4, 10_000, () => now);
    await followHint(store, { ...hint, ahead: 0 }, page('p2', []));
    now = 10_001;
    expect(store.continuesWalk('p2')).toBe(false);
  });

  it('is not read when a request here read it a moment ago, nor when the store is full; read again for a later walk', async () => {
    let now = 0;
    const store = new PageReadAhead(2, 2, 10_000, () => now);
    store.relay = () => undefined;
    const reads: string[] = [];
    store.markRequested('p2');
    store.markRequested('p3');
    await followHint(store, hint, page('p2', reads));
    expect(reads).toEqual([]);
    // The mark goes once a hint met it, and ends after a moment: another walk's hint for the same page is read.
    await followHint(store, hint, page('p2', reads));
    now = 5_000;
    await followHint(store, hint, page('p3', reads));
    expect(reads).toEqual(['p2', 'p3']);
    // Two pages held: the store is full.
    await followHint(store, hint, page('p4', reads));
    expect(reads).toEqual(['p2', 'p3']);
  });
});

describe('pages read ahead on hints, on a built lake', () => {
  // 30 customers (24 consenting) × 100 rows: 2,400 training rows, pages of 1,000; the engine's pages: prepared batch text reads none ahead.
  const app = hintedApp(30, 100, { batchText: false });
  const { hints, hinted } = app;

  it('answers the next page from the read the hint started, with the same rows and cursor as one page holding them', async () => {
    const whole = await post(app.t, { first: 10_000 });
    const store = readAheadOf(app.t.lake.services);
    const start = jest.spyOn(store, 'start');
    const take = jest.spyOn(store, 'take');
    try {
      const first = await post(app.t, { first: READ_AHEAD_MIN_ROWS });
      // Page 1 continues no walk: the other worker only notes where page 2 starts, and nothing is read ahead.
      expect(await hinted(1)).toMatchObject({ kind: 'MachineLearningSample', first: READ_AHEAD_MIN_ROWS, shape: 'columns', ahead: 0 });
      await readHintedPage(app.t.lake.services, hints[0]);
      expect(hints).toHaveLength(1);
      expect(start).not.toHaveBeenCalled();
      // As the other worker would be: this process serves a page elsewhere (a jump: again only noted), so page 2 is not the page after its last.
      const jump = await post(app.t, { first: 500 });
      await post(app.t, { first: READ_AHEAD_MIN_ROWS, after: jump.pageInfo.endCursor });
      await hinted(2);
      expect(hints.map((h) => h.ahead)).toEqual([0, 0]);
      // Page 2, noted, shows a walk: the page after it is hinted at the other worker to read.
      const second = await post(app.t, { first: READ_AHEAD_MIN_ROWS, after: first.pageInfo.endCursor });
      expect(take.mock.results.some((r) => r.value !== undefined)).toBe(false);
      expect(await hinted(3)).toMatchObject({ first: READ_AHEAD_MIN_ROWS, shape: 'columns', ahead: 1 });
      expect(start).not.toHaveBeenCalled();
      await readHintedPage(app.t.lake.services, hints[2]);
      expect(start).toHaveBeenCalledTimes(1);
      take.mockClear();
      const third = await post(app.t, { first: READ_AHEAD_MIN_ROWS, after: second.pageInfo.endCursor });
      expect(take.mock.results.some((r) => r.value !== undefined)).toBe(true);
      expect(rowsOf(second)).toEqual(rowsOf(whole).slice(READ_AHEAD_MIN_ROWS, 2 * READ_AHEAD_MIN_ROWS));
      expect(rowsOf(third)).toEqual(rowsOf(whole).slice(2 * READ_AHEAD_MIN_ROWS));
      expect(third.pageInfo.endCursor).toBe(whole.pageInfo.endCursor);
      const cursors = await post(app.t, { first: 2 * READ_AHEAD_MIN_ROWS });
      expect(second.pageInfo.endCursor).toBe(cursors.pageInfo.endCursor);
    } finally {
      start.mockRestore();
      take.mockRestore();
    }
  });

  it.each(['accelerometerReadings', 'stepTrainerReadings'])('reads ahead the next page of %s on a hint too (every connection with bounded pages)', async (field) => {
    const document = `query P($first: Int, $after: String) { page: ${field}(first: $first, after: $after) { edges { node { serialNumber } } pageInfo { endCursor } } }`;
    const page = async (variables: Record<string, unknown>) => (await app.t.graphql(document, ANALYST_KEY, variables)).body.data.page;
    // Pages of 2,000 rows are read as columns (bulk), the pages hints are for; 2,400 readings make two.
    const first = await page({ first: 2_000 });
    // The hint goes once the next page's query is built (after the answer: its bound may need the serial index read first).
    await hinted(1);
    // As hinted by a page that continued a walk (page 1 alone only notes where page 2 starts).
    await readHintedPage(app.t.lake.services, { ...hints[0], ahead: 1 });
    const take = jest.spyOn(readAheadOf(app.t.lake.services), 'take');
    try {
      const second = await page({ first: 2_000, after: first.pageInfo.endCursor });
      expect(take.mock.results.some((r) => r.value !== undefined)).toBe(true);
      const both = await page({ first: 10_000 });
      expect(second.edges).toEqual(both.edges.slice(2_000));
      expect(second.edges.length).toBeGreaterThan(0);
    } finally {
      take.mockRestore();
    }
  });

  it('never answers a page read on a hint before a revocation with the revoked customer', async () => {
    // Page 2 of 1,000 holds the 11th to 20th consenting customers; serial 14 is among them.
    const serial = serialOf(14);
    const first = await post(app.t, { first: READ_AHEAD_MIN_ROWS });
    for (let waited = 0; hints.length === 0 && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    // As hinted by a page that continued a walk: page 2 is read before the revocation.
    const kept = readAheadOf(app.t.lake.services).size;
    // The first test asked for page 2 a moment ago, which keeps one hint for it from being read: that one goes first.
    await readHintedPage(app.t.lake.services, { ...hints[0], ahead: 1 });
    await readHintedPage(app.t.lake.services, { ...hints[0], ahead: 1 });
    expect(readAheadOf(app.t.lake.services).size).toBe(kept + 1);
    writeLanding(app.fixture.landing, 'customer', [customerRecord({ name: nameOf(14), serial, consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-revoke-14.json');
    await app.t.lake.services.consent.refresh();
    const second = await post(app.t, { first: READ_AHEAD_MIN_ROWS, after: first.pageInfo.endCursor });
    const serials = second.columns.serialNumber;
    expect(serials).toHaveLength(READ_AHEAD_MIN_ROWS);
    expect(serials).not.toContain(serial);
    expect(serials).toContain(serialOf(15));
  });
});

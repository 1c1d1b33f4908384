import type { ColumnarResult } from '../../etl/engine/engine';
import { type EdgeEntry, edgesText } from '../../src/graphql/edges-text';
import { type PageHint, readHintedPage } from '../../src/graphql/page-hints';
import { readAheadOf } from '../../src/graphql/page-read-ahead';
import * as prerendered from '../../src/graphql/prerendered-edges';
import { hintedApp } from '../helpers/hinted-app';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding, writeRevocation, type ManyCustomers } from '../helpers/many-customers-landing';

// Its exports as plain properties, so jest.spyOn can replace them: swc compiles a module's exports to read-only getters.
jest.mock('../../src/graphql/prerendered-edges', () => ({ __esModule: true, ...jest.requireActual<object>('../../src/graphql/prerendered-edges') }));

const { notePlan, prerenderEdges, prerenderedText } = prerendered;

const planOf = (...fields: string[]): EdgeEntry[] => [
  { key: '"node":', node: fields.map((f) => ({ key: `${JSON.stringify(f)}:`, field: f, kind: f === 's' ? ('String' as const) : ('Float' as const), nonNull: true })) },
];
const FIELD_COLUMNS = { s: 'col_s', x: 'col_x', serialNumber: 'col_s' };

/** A page of `n` rows plus the row that says there is a next page. */
function page(n: number): ColumnarResult {
  const rows = Array.from({ length: n + 1 }, (_v, i) => i);
  return { rowCount: n + 1, columns: { col_s: rows.map((i) => `serial-${Math.floor(i / 3)}`), col_x: rows.map((i) => i / 8 - 1) } };
}
const sourceOf = (result: ColumnarResult, rows: number[]) => ({ columns: result.columns, rows, fieldColumns: FIELD_COLUMNS });
const upTo = (n: number): number[] => Array.from({ length: n }, (_v, i) => i);

describe("a read-ahead page's edges written before it is asked for", () => {
  it('writes nothing before a request here has written edges (no plan to write them for)', () => {
    const result = page(4);
    prerenderEdges(result, 4, FIELD_COLUMNS);
    expect(prerenderedText(planOf('s', 'x'), sourceOf(result, upTo(4)))).toBeUndefined();
  });

  it("gives the very text a request would write for the page's rows, once, for the same plan", () => {
    const plan = planOf('s', 'x');
    notePlan(plan, FIELD_COLUMNS);
    const result = page(5);
    prerenderEdges(result, 5, FIELD_COLUMNS);
    const expected = edgesText(plan, sourceOf(result, upTo(5)));
    expect(expected).toMatch(/^\[\{"node":\{"s":"serial-0","x":-1\}\},/);
    // The same plan built again (another document of the same selection) takes it too.
    expect(prerenderedText(planOf('s', 'x'), sourceOf(result, upTo(5)))?.toString('utf8')).toBe(expected);
    expect(prerenderedText(plan, sourceOf(result, upTo(5)))).toBeUndefined();
  });

  it('is not used for other rows (one consent hides at serve time), another selection, or other field columns', () => {
    const plan = planOf('s', 'x');
    notePlan(plan, FIELD_COLUMNS);
    const read = () => {
      const result = page(6);
      prerenderEdges(result, 6, FIELD_COLUMNS);
      return result;
    };
    expect(prerenderedText(plan, sourceOf(read(), [0, 1, 3, 4, 5]))).toBeUndefined();
    expect(prerenderedText(plan, sourceOf(read(), [1, 2, 3, 4, 5, 6]))).toBeUndefined();
    expect(prerenderedText(plan, sourceOf(read(), upTo(5)))).toBeUndefined();
    expect(prerenderedText(planOf('x', 's'), sourceOf(read(), upTo(6)))).toBeUndefined();
    const other = read();
    expect(prerenderedText(plan, { columns: other.columns, rows: upTo(6), fieldColumns: { ...FIELD_COLUMNS } })).toBeUndefined();
    expect(prerenderedText(plan, sourceOf(read(), upTo(6)))?.toString('utf8')).toBe(edgesText(plan, sourceOf(page(6), upTo(6))));
  });

  it("keeps each dataset's plan: another field's page written since does not change what a walk's next page is written for", () => {
    const plan = planOf('s', 'x');
    notePlan(plan, FIELD_COLUMNS);
    notePlan(planOf('x'), { x: 'col_x', serialNumber: 'col_s' });
    const result = page(4);
    prerenderEdges(result, 4, FIELD_COLUMNS);
    expect(prerenderedText(plan, sourceOf(result, upTo(4)))?.toString('utf8')).toBe(edgesText(plan, sourceOf(page(4), upTo(4))));
  });

  it('writes nothing for a page a request here has written already, nor for values the text does not write', () => {
    const plan = planOf('s', 'x');
    notePlan(plan, FIELD_COLUMNS);
    const asked = page(3);
    expect(prerenderedText(plan, sourceOf(asked, upTo(3)))).toBeUndefined();
    prerenderEdges(asked, 3, FIELD_COLUMNS);
    expect(prerenderedText(plan, sourceOf(asked, upTo(3)))).toBeUndefined();
    const odd = page(3);
    odd.columns.col_x[1] = Number.NaN;
    prerenderEdges(odd, 3, FIELD_COLUMNS);
    expect(prerenderedText(plan, sourceOf(odd, upTo(3)))).toBeUndefined();
  });
});

const PAGE = 2_000;
const FIELDS = 'serialNumber sensorReadingTime distanceFromObject x y z sensorReadingTimeIso';
const SAMPLES = `query S($first: Int, $after: String) { machineLearningSamples(first: $first, after: $after) {
  edges { node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

/**
 * Revokes `serial` in landing, refreshes consent, and asks for the training-set page after `after`: a full page,
 * without the revoked customer, answered as graphql-js answers it. Returns the page's serials.
 */
async function secondPageAfterRevoking(t: TestApp, fixture: ManyCustomers, after: string, serial: string): Promise<string[]> {
  writeRevocation(fixture.landing, serial);
  await t.lake.services.consent.refresh();
  const variables = { first: PAGE, after };
  const second = await t.graphql(SAMPLES, ANALYST_KEY, variables);
  const serials: string[] = second.body.data.machineLearningSamples.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber);
  expect(serials).toHaveLength(PAGE);
  expect(serials).not.toContain(serial);
  expect(second.text).toBe((await t.graphql(`${SAMPLES} # reference`, ANALYST_KEY, variables)).text);
  return serials;
}

describe('training-set pages read ahead on a hint, through HTTP', () => {
  // 60 customers (48 consenting) × 100 rows: 4,800 training rows; pages of 2,000 are read as columns (bulk), hinted.
  const app = hintedApp(60, 100);
  const { hints, hinted } = app;
  /** The hinted page read into the store, and (one ahead) its edges written. */
  const readOnHint = (hint: PageHint): Promise<void> => readHintedPage(app.t.lake.services, hint);

  it("reads a first page's next page ahead (the set is pulled whole), a page after a jump only noted; only edges are written ahead", async () => {
    const first = await app.t.graphql(SAMPLES, ANALYST_KEY, { first: PAGE });
    expect(await hinted(1)).toMatchObject({ kind: 'MachineLearningSample', first: PAGE, shape: 'columns', ahead: 1, edges: true });
    const jump = await app.t.graphql(SAMPLES, ANALYST_KEY, { first: 500 });
    await app.t.graphql(SAMPLES, ANALYST_KEY, { first: PAGE, after: jump.body.data.machineLearningSamples.pageInfo.endCursor });
    expect(await hinted(2)).toMatchObject({ ahead: 0, edges: true });
    // The batch's pages (the same keys) are columns, not edges: no text is written ahead for them.
    await app.t.graphql(`query B($first: Int) { machineLearningBatch(first: $first) { rowCount } }`, ANALYST_KEY, { first: PAGE });
    expect((await hinted(3)).edges).toBeUndefined();
    expect(first.body.data.machineLearningSamples.edges).toHaveLength(PAGE);
  });

  it('answers a page whose edges were written ahead with the text graphql-js answers', async () => {
    const used = jest.spyOn(prerendered, 'prerenderedText');
    // As in a cluster of two: the next page is asked of the other worker, so no page here follows the one served here.
    const served = jest.spyOn(readAheadOf(app.t.lake.services), 'served').mockReturnValue(false);
    try {
      let after: string | null = null;
      let ahead = 0;
      for (let index = 0; ; index += 1) {
        const variables = { first: PAGE, after };
        used.mockClear();
        const before = hints.length;
        const answer = await app.t.graphql(SAMPLES, ANALYST_KEY, variables);
        if (index > 0) ahead += used.mock.results.filter((r) => Buffer.isBuffer(r.value)).length;
        const info = answer.body.data.machineLearningSamples.pageInfo;
        const next = info.hasNextPage ? await hinted(before + 1) : undefined;
        // A new text (a comment) is a first use: graphql-js answers it, reading the page itself.
        const reference = await app.t.graphql(`${SAMPLES} # page ${index}`, ANALYST_KEY, variables);
        expect(reference.body.errors).toBeUndefined();
        expect(answer.text).toBe(reference.text);
        if (!next) break;
        await hinted(before + 2);
        after = info.endCursor;
        await readOnHint({ ...next, ahead: 1 });
      }
      // Pages 2 and 3 (of 2,000 and 800 rows) were read ahead and their edges written then.
      expect(ahead).toBe(2);
    } finally {
      used.mockRestore();
      served.mockRestore();
    }
  });

  it('never answers a page written ahead before a revocation with the revoked customer', async () => {
    // Page 2 holds the 21st to 40th consenting customers.
    const serial = app.fixture.consenting[25];
    const first = await app.t.graphql(SAMPLES, ANALYST_KEY, { first: PAGE });
    await readOnHint(await hinted(1));
    const serials = await secondPageAfterRevoking(app.t, app.fixture, first.body.data.machineLearningSamples.pageInfo.endCursor, serial);
    expect(serials).toContain(app.fixture.consenting[26]);
  });
});

describe('a walk served by one process (one connection): the next page read ahead has its edges written ahead', () => {
  let fixture: ManyCustomers;
  let t: TestApp;
  // 60 customers (48 consenting) × 100 rows of each kind; one process, so each page after a walk shows is read here.
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(60, 100);
    t = await buildTestApp({ landing: fixture.landing, config: { workers: 1 } });
  });
  afterAll(() => t.close());

  const READINGS = `query A($first: Int, $after: String) { accelerometerReadings(first: $first, after: $after) {
    edges { node { serialNumber timestamp x y z timestampIso } } pageInfo { hasNextPage endCursor } } }`;

  /** Walks `document` in pages of `first`; each answer compared with graphql-js's; returns how many pages used text written ahead. */
  async function walkWrittenAhead(document: string, field: string, first: number): Promise<{ pages: number; ahead: number }> {
    const used = jest.spyOn(prerendered, 'prerenderedText');
    try {
      let after: string | null = null;
      let pages = 0;
      let ahead = 0;
      for (;;) {
        const variables = { first, after };
        used.mockClear();
        const answer = await t.graphql(document, ANALYST_KEY, variables);
        ahead += used.mock.results.filter((r) => Buffer.isBuffer(r.value)).length;
        pages += 1;
        const reference = await t.graphql(`${document} # page ${pages}`, ANALYST_KEY, variables);
        expect(reference.body.errors).toBeUndefined();
        expect(answer.text).toBe(reference.text);
        const info = answer.body.data[field].pageInfo;
        if (!info.hasNextPage) return { pages, ahead };
        after = info.endCursor;
      }
    } finally {
      used.mockRestore();
    }
  }

  it('answers every training-set page after the first from text written ahead, as graphql-js answers it', async () => {
    // 4,800 rows in pages of 2,000: the first page opens the walk (the set is pulled whole), so pages 2 and 3 are written ahead.
    expect(await walkWrittenAhead(SAMPLES, 'machineLearningSamples', PAGE)).toEqual({ pages: 3, ahead: 2 });
  });

  it('answers accelerometer pages from text written ahead once the walk shows (from the third page)', async () => {
    // 4,800 readings in pages of 2,000 (bulk pages: above the read cache's 2,000 rows with the row saying there is
    // a next one): page 2 follows page 1 here, so page 3 is read and written ahead.
    expect(await walkWrittenAhead(READINGS, 'accelerometerReadings', PAGE)).toEqual({ pages: 3, ahead: 1 });
  });

  it('never answers a page written ahead before a revocation with the revoked customer', async () => {
    const first = await t.graphql(SAMPLES, ANALYST_KEY, { first: PAGE });
    // Page 2 (read and written ahead after page 1) holds the 21st to 40th consenting customers.
    const serial = fixture.consenting[25];
    // Page 2's read and text run after page 1's answer is sent: both done, and page 2 held, before the revocation.
    const store = readAheadOf(t.lake.services);
    await store.settled();
    expect(store.size).toBeGreaterThan(0);
    await secondPageAfterRevoking(t, fixture, first.body.data.machineLearningSamples.pageInfo.endCursor, serial);
  });
});

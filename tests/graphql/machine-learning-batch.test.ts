import type { Engine } from '../../etl/engine/engine';
import { createSnapshot } from '../../src/consent/consent-snapshot';
import { queryColumns, visibleColumns } from '../../src/graphql/columnar-page-reader';
import { machineLearningDataset } from '../../src/graphql/datasets/machine-learning.dataset';
import type { Logger } from '../../src/logger';
import { buildLake } from '../helpers/etl-lake';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';
import { describeWithStediSample, STEDI_SAMPLE_DIR } from '../helpers/stedi-sample';

const FIELDS = ['serialNumber', 'sensorReadingTime', 'distanceFromObject', 'x', 'y', 'z'] as const;
type Columns = Record<(typeof FIELDS)[number], unknown[]>;
interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

const BATCH = `query Batch($first: Int, $after: String, $split: Split, $splitSeed: String) {
  page: machineLearningBatch(first: $first, after: $after, split: $split, splitSeed: $splitSeed) {
    rowCount columns { ${FIELDS.join(' ')} } pageInfo { hasNextPage endCursor } } }`;
const SAMPLES = `query Samples($first: Int, $after: String, $split: Split, $splitSeed: String) {
  page: machineLearningSamples(first: $first, after: $after, split: $split, splitSeed: $splitSeed) {
    edges { node { ${FIELDS.join(' ')} } } pageInfo { hasNextPage endCursor } } }`;

async function post(t: TestApp, document: string, variables: Record<string, unknown>) {
  const res = await t.graphql(document, ANALYST_KEY, variables);
  if (res.status !== 200 || res.body.errors) throw new Error(`status ${res.status}: ${JSON.stringify(res.body.errors ?? res.body)}`);
  return res.body.data.page;
}

/** Rows of a batch, transposed back to objects. */
const rowsOf = (rowCount: number, columns: Columns): Record<string, unknown>[] =>
  Array.from({ length: rowCount }, (_, i) => Object.fromEntries(FIELDS.map((f) => [f, columns[f][i]])));

/** Both fields page by page from the start: every batch must equal the samples page of the same cursor. */
async function compareAllPages(t: TestApp, first: number, args: Record<string, unknown> = {}): Promise<{ pages: number; rows: Record<string, unknown>[] }> {
  let after: string | null = null;
  const rows: Record<string, unknown>[] = [];
  for (let pages = 1; ; pages += 1) {
    const batch = await post(t, BATCH, { first, after, ...args });
    const samples = await post(t, SAMPLES, { first, after, ...args });
    for (const f of FIELDS) expect(batch.columns[f]).toHaveLength(batch.rowCount);
    expect(rowsOf(batch.rowCount, batch.columns)).toEqual(samples.edges.map((e: { node: unknown }) => e.node));
    expect(batch.pageInfo as PageInfo).toEqual(samples.pageInfo);
    rows.push(...rowsOf(batch.rowCount, batch.columns));
    if (!batch.pageInfo.hasNextPage) return { pages, rows };
    after = batch.pageInfo.endCursor;
  }
}

describe('the training set as columns (machineLearningBatch)', () => {
  let fixture: ManyCustomers;
  let t: TestApp;
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(12, 4);
    t = await buildTestApp({ landing: fixture.landing });
  });
  afterAll(() => t.close());

  it('answers every page with the rows, order, page info and cursors of machineLearningSamples', async () => {
    const { pages, rows } = await compareAllPages(t, 7);
    expect(rows).toHaveLength(fixture.consenting.length * fixture.readingsPerCustomer);
    expect(pages).toBe(Math.ceil(rows.length / 7));
    expect([...new Set(rows.map((r) => r.serialNumber))]).toEqual(fixture.consenting);
  });

  it('answers the same JSON from graphql-js (a first request) and from the compiled document (columns completed whole)', async () => {
    const document = BATCH.replace('query Batch', 'query BatchCompiledOrNot');
    const bodies: string[] = [];
    for (let i = 0; i < 3; i += 1) bodies.push(JSON.stringify((await t.graphql(document, ANALYST_KEY, { first: 7 })).body));
    expect(JSON.parse(bodies[0]).data.page.rowCount).toBe(7);
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
  });

  it('keeps the same whole customers as machineLearningSamples for a split and seed', async () => {
    const train = await compareAllPages(t, 5, { split: 'TRAIN', splitSeed: 'batch-seed' });
    const test = await compareAllPages(t, 5, { split: 'TEST', splitSeed: 'batch-seed' });
    const validation = await compareAllPages(t, 5, { split: 'VALIDATION', splitSeed: 'batch-seed' });
    const serials = (r: { rows: Record<string, unknown>[] }) => new Set(r.rows.map((row) => row.serialNumber));
    expect(train.rows.length + test.rows.length + validation.rows.length).toBe(fixture.consenting.length * fixture.readingsPerCustomer);
    for (const s of serials(train)) expect(serials(test).has(s) || serials(validation).has(s)).toBe(false);
  });

  it('continues from an endCursor of machineLearningSamples, and the samples from one of its own', async () => {
    const samples = await post(t, SAMPLES, { first: 4 });
    const batch = await post(t, BATCH, { first: 4, after: samples.pageInfo.endCursor });
    const nextSamples = await post(t, SAMPLES, { first: 4, after: batch.pageInfo.endCursor });
    const all = await post(t, SAMPLES, { first: 12 });
    const expected = all.edges.map((e: { node: unknown }) => e.node);
    expect(rowsOf(batch.rowCount, batch.columns)).toEqual(expected.slice(4, 8));
    expect(nextSamples.edges.map((e: { node: unknown }) => e.node)).toEqual(expected.slice(8, 12));
  });

  it('answers an empty page with empty columns and no cursor', async () => {
    const res = await t.graphql('{ page: machineLearningBatch(filter: { serialNumber: "no-such-serial" }) { rowCount columns { serialNumber x } pageInfo { hasNextPage endCursor } } }', ANALYST_KEY);
    expect(res.body).toEqual({ data: { page: { rowCount: 0, columns: { serialNumber: [], x: [] }, pageInfo: { hasNextPage: false, endCursor: null } } } });
  });

  it('refuses a bad page size, a cursor of another field and a request without a key', async () => {
    const tooBig = await t.graphql('{ machineLearningBatch(first: 0) { rowCount } }', ANALYST_KEY);
    expect(tooBig.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(tooBig.body.errors[0].message).toMatch(/`first` of machineLearningBatch/);
    // Only the refused page is null: the rest of the answer stays.
    const beside = await t.graphql('{ lake { liveVersion } machineLearningBatch(first: 0) { rowCount } }', ANALYST_KEY);
    expect(beside.body.data).toEqual({ lake: { liveVersion: expect.any(String) }, machineLearningBatch: null });
    expect(beside.body.errors.map((e: { path: string[] }) => e.path)).toEqual([['machineLearningBatch']]);
    const customers = await t.graphql('{ customers(first: 1) { pageInfo { endCursor } } }', ANALYST_KEY);
    const foreign = await t.graphql(`{ machineLearningBatch(after: "${customers.body.data.customers.pageInfo.endCursor}") { rowCount } }`, ANALYST_KEY);
    expect(foreign.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    // Named for the field it was passed to, though the batch takes machineLearningSamples' cursors too.
    expect(foreign.body.errors[0].message).toMatch(/^the `after` cursor of machineLearningBatch was issued by another field .*a previous page of machineLearningBatch/);
    expect((await t.graphql('{ machineLearningBatch { rowCount } }', null)).status).toBe(401);
  });

  it('drops a customer who revokes consent after the next refresh, before any rebuild', async () => {
    const serial = serialOf(1);
    const before = await post(t, BATCH, { first: 1000 });
    expect(before.columns.serialNumber).toContain(serial);
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(1), serial, consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-revoke.json');
    await t.lake.services.consent.refresh();
    const after = await post(t, BATCH, { first: 1000 });
    expect(after.columns.serialNumber).not.toContain(serial);
    expect(after.rowCount).toBe(before.rowCount - fixture.readingsPerCustomer);
    for (const refused of fixture.refusing) expect(after.columns.serialNumber).not.toContain(refused);
  });

  it('names the lake version each page was read from: the live one, then the one its cursor pinned after a rebuild', async () => {
    const document = `query Versioned($first: Int, $after: String) { lake { liveVersion } page: machineLearningBatch(first: $first, after: $after) { lakeVersion pageInfo { endCursor } } }`;
    const first = (await t.graphql(document, ANALYST_KEY, { first: 3 })).body.data;
    expect(first.page.lakeVersion).toBe(first.lake.liveVersion);
    const published = await buildLake(fixture.landing, t.lake.lake);
    await t.lake.services.consent.refresh();
    // A notebook resuming from the cursor text alone: the page comes from the pinned version, and says so.
    const resumed = (await t.graphql(document, ANALYST_KEY, { first: 3, after: first.page.pageInfo.endCursor })).body.data;
    expect(resumed.lake.liveVersion).toBe(published.version);
    expect(resumed.page.lakeVersion).toBe(first.lake.liveVersion);
    expect((await t.graphql(document, ANALYST_KEY, { first: 3 })).body.data.page.lakeVersion).toBe(published.version);
  });
});

describe('columns from an engine without a columnar read, and the consent check in JS', () => {
  it('drops, and logs, rows of a customer the snapshot hides that the SQL let through', () => {
    const consent = createSnapshot(3, new Set(['s2']), new Set(), new Map());
    const warn = jest.fn();
    const result = { rowCount: 3, columns: { serialNumber: ['s1', 's2', 's3'], x: [1, 2, 3] } };
    expect(visibleColumns(machineLearningDataset, result, 'v', consent, { warn } as unknown as Logger)).toEqual({ rowCount: 2, columns: { serialNumber: ['s1', 's3'], x: [1, 3] } });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ dropped: 1, generation: 3 }), expect.any(String));
  });

  it('transposes the rows of query() (Athena)', async () => {
    const engine = { query: jest.fn(async () => [{ a: 1, b: 'x' }, { a: 2, b: 'y' }]) } as unknown as Engine;
    expect(await queryColumns(engine, 'SELECT', [], {})).toEqual({ rowCount: 2, columns: { a: [1, 2], b: ['x', 'y'] } });
  });
});

describeWithStediSample('machineLearningBatch on the real STEDI data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: STEDI_SAMPLE_DIR });
  });
  afterAll(() => t.close());

  it('pages through the 40,981 consent-filtered rows exactly as machineLearningSamples does', async () => {
    const { rows } = await compareAllPages(t, 10_000);
    expect(rows).toHaveLength(40_981);
  });
});

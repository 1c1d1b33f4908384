import { buildLake } from '../helpers/etl-lake';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';

/**
 * Every connection names the lake version its page was read from (`lakeVersion`), as machineLearningBatch does.
 * Before, only the batch did: a notebook paging customers or readings, resumed from a saved cursor after a rebuild,
 * could not tell its pages came from the pinned version and not the live one `lake { liveVersion }` names.
 */
const SERIAL = serialOf(1);
const PAGES: Record<string, string> = {
  customers: 'customers(first: 2, after: $after)',
  accelerometerReadings: 'accelerometerReadings(first: 2, after: $after)',
  stepTrainerReadings: 'stepTrainerReadings(first: 2, after: $after)',
  machineLearningSamples: 'machineLearningSamples(first: 2, after: $after)',
  // A page too large for the read cache is read as columns (connection-reader.ts): another path.
  bulkSamples: 'machineLearningSamples(first: 2500, after: $after)',
  bulkReadings: 'accelerometerReadings(first: 2500, after: $after)',
};

describe('the lake version of every connection page', () => {
  let fixture: ManyCustomers;
  let t: TestApp;
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(6, 3);
    t = await buildTestApp({ landing: fixture.landing });
  });
  afterAll(() => t.close());

  const page = async (field: string, after: string | null = null) => {
    const document = `query Page($after: String) { lake { liveVersion } page: ${PAGES[field]} { lakeVersion pageInfo { endCursor } } }`;
    const res = await t.graphql(document, ANALYST_KEY, { after });
    expect(res.body.errors).toBeUndefined();
    return res.body.data as { lake: { liveVersion: string }; page: { lakeVersion: string; pageInfo: { endCursor: string } } };
  };
  const nested = async (after: string | null = null) => {
    const document = `query Nested($after: String) { customer(serialNumber: "${SERIAL}") { stepTrainerReadings(first: 1, after: $after) { lakeVersion pageInfo { endCursor } } } }`;
    const res = await t.graphql(document, ANALYST_KEY, { after });
    expect(res.body.errors).toBeUndefined();
    return res.body.data.customer.stepTrainerReadings as { lakeVersion: string; pageInfo: { endCursor: string } };
  };

  it('is the live version on a first page, and the version a saved cursor pinned after a rebuild published another', async () => {
    const firsts = Object.fromEntries(await Promise.all(Object.keys(PAGES).map(async (field) => [field, await page(field)] as const)));
    const nestedFirst = await nested();
    const before = firsts.customers.lake.liveVersion;
    for (const first of Object.values(firsts)) expect(first.page.lakeVersion).toBe(before);
    expect(nestedFirst.lakeVersion).toBe(before);
    // A count alone reads no page, and still says which version it counted.
    const counted = await t.graphql('{ customers { totalCount lakeVersion } }', ANALYST_KEY);
    expect(counted.body.data.customers).toEqual({ totalCount: expect.any(Number), lakeVersion: before });

    const published = await buildLake(fixture.landing, t.lake.lake);
    await t.lake.services.consent.refresh();
    expect(published.version).not.toBe(before);
    for (const field of ['customers', 'accelerometerReadings', 'stepTrainerReadings', 'machineLearningSamples']) {
      const resumed = await page(field, firsts[field].page.pageInfo.endCursor);
      expect([field, resumed.lake.liveVersion, resumed.page.lakeVersion]).toEqual([field, published.version, before]);
      expect((await page(field)).page.lakeVersion).toBe(published.version);
    }
    expect((await nested(nestedFirst.pageInfo.endCursor)).lakeVersion).toBe(before);
    expect((await nested()).lakeVersion).toBe(published.version);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { download, exportedRows } from '../helpers/export-download';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { describeWithStediSample, STEDI_SAMPLE_DIR } from '../helpers/stedi-sample';

/** /export on the real STEDI data: 40,981 consent-filtered rows, nothing of the 474 customers who did not consent. */

interface LandingCustomer {
  serialNumber: string;
  email: string;
  shareWithResearchAsOfDate: number | null;
}

function nonConsenting(): { serials: Set<string>; emails: string[] } {
  const dir = join(STEDI_SAMPLE_DIR, 'customer', 'landing');
  const customers = readdirSync(dir)
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LandingCustomer)
    .filter((c) => c.shareWithResearchAsOfDate == null);
  return { serials: new Set(customers.map((c) => c.serialNumber)), emails: customers.map((c) => c.email) };
}

describeWithStediSample('the export endpoint on the real STEDI data', () => {
  let t: TestApp;
  // Read in beforeAll, not the describe body: a skipped suite must not touch the missing folder.
  let refused: ReturnType<typeof nonConsenting>;
  beforeAll(async () => {
    refused = nonConsenting();
    t = await buildTestApp({ landing: STEDI_SAMPLE_DIR });
  });
  afterAll(() => t.close());

  it('reads 474 non-consenting customers from the landing data', () => {
    expect(refused.serials.size).toBe(474);
  });

  describe.each(['csv', 'ndjson', 'parquet'] as const)('as %s', (format) => {
    it('sends exactly the 40,981 consent-filtered rows and no serial or email of a non-consenting customer', async () => {
      const res = await download(t.server, `?format=${format}`, ANALYST_KEY);
      expect(res.status).toBe(200);
      expect(res.headers['x-row-count']).toBe('40981');
      const rows = await exportedRows(res.body, format);
      expect(rows).toHaveLength(40_981);
      expect(rows.filter((r) => refused.serials.has(r.serialNumber as string))).toEqual([]);
      expect(new Set(rows.map((r) => r.serialNumber)).size).toBe(482);
      if (format !== 'parquet') {
        const text: string = res.body.toString('utf8');
        expect(text).not.toContain('@');
        // Every token of the file, not only the serialNumber column.
        expect(text.split(/[",\n{}:]+/).filter((token) => refused.serials.has(token))).toEqual([]);
      }
    });
  });

  it('splits the rows into three disjoint sets of customers that add up to 40,981, matching GraphQL totalCount', async () => {
    const owner = new Map<string, string>();
    let total = 0;
    for (const split of ['TRAIN', 'VALIDATION', 'TEST']) {
      const res = await download(t.server, `?format=csv&split=${split}&splitSeed=epoch-1`, ANALYST_KEY);
      const rows = await exportedRows(res.body, 'csv');
      total += rows.length;
      for (const row of rows) {
        const serial = row.serialNumber as string;
        expect(owner.get(serial) ?? split).toBe(split);
        owner.set(serial, split);
      }
      const gql = await t.graphql(`{ machineLearningSamples(first: 1, split: ${split}, splitSeed: "epoch-1") { totalCount } }`, ANALYST_KEY);
      expect(gql.body.data.machineLearningSamples.totalCount).toBe(rows.length);
    }
    expect(total).toBe(40_981);
    expect(owner.size).toBe(482);
  });
});

import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPLITS } from '../../src/graphql/split';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { customerRecord, makeTempDir, writeLanding } from '../helpers/landing-fixture';
import { describeWithStediSample, STEDI_SAMPLE_DIR } from '../helpers/stedi-sample';
import { everyAnswer } from '../helpers/every-answer';
import { pageThrough } from '../helpers/page-through';
import { ADMIN, ANALYST, queryData } from '../helpers/run-graphql';
import { manifestOf, readTable } from '../helpers/etl-lake';

const SAMPLE = 'serialNumber sensorReadingTime distanceFromObject x y z';
const sampleKey = (r: Record<string, unknown>): string => JSON.stringify([r.serialNumber, r.sensorReadingTime, r.distanceFromObject, r.x, r.y, r.z]);

interface LandingCustomer {
  customerName: string;
  email: string;
  serialNumber: string;
  shareWithResearchAsOfDate: number | null;
}

function landingCustomers(): LandingCustomer[] {
  const dir = join(STEDI_SAMPLE_DIR, 'customer', 'landing');
  return readdirSync(dir).flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as LandingCustomer),
  );
}

/** A temp copy of the real landing files (outside the repo; the originals are never written), so a test can add a file. */
function writableLanding(): string {
  const root = makeTempDir('stedi-real-landing-');
  for (const source of ['customer', 'accelerometer', 'step_trainer']) {
    const from = join(STEDI_SAMPLE_DIR, source, 'landing');
    const to = join(root, source, 'landing');
    mkdirSync(to, { recursive: true });
    for (const file of readdirSync(from)) copyFileSync(join(from, file), join(to, file));
  }
  return root;
}

describeWithStediSample('the GraphQL API on the real STEDI data', () => {
  let lake: TestLake;
  beforeAll(async () => {
    lake = await buildTestLake({ landing: writableLanding() });
  });
  afterAll(() => lake.close());

  it('has 482 customers, and paging through them returns 482 distinct serials', async () => {
    const paged = await pageThrough(lake.services, ANALYST, 'customers', 'serialNumber', 100);
    expect(new Set(paged.totalCounts)).toEqual(new Set([482]));
    expect(new Set(paged.nodes.map((n) => n.serialNumber)).size).toBe(482);
    expect(paged.nodes).toHaveLength(482);
  });

  it('pages the 40,981 training rows in pages of 5,000 with no duplicates and no gaps', async () => {
    const paged = await pageThrough(lake.services, ANALYST, 'machineLearningSamples', SAMPLE, 5000);
    expect(paged.nodes).toHaveLength(40_981);
    expect(paged.pages).toBe(9);
    const keys = new Set(paged.nodes.map(sampleKey));
    expect(keys.size).toBe(40_981);
    const live = (await manifestOf(lake.lake))!.versions[0];
    const table = await readTable(live, 'machine_learning_curated');
    expect(new Set(table.map(sampleKey))).toEqual(keys);
  });

  it('puts each serial in exactly one split; the splits add up to 40,981 rows', async () => {
    const serialsBySplit = new Map<string, string>();
    let rows = 0;
    for (const split of SPLITS) {
      const paged = await pageThrough(lake.services, ANALYST, 'machineLearningSamples', 'serialNumber', 5000, `split: ${split}`);
      rows += paged.nodes.length;
      for (const { serialNumber } of paged.nodes) {
        const seen = serialsBySplit.get(serialNumber as string);
        expect(seen === undefined || seen === split).toBe(true);
        serialsBySplit.set(serialNumber as string, split);
      }
    }
    expect(rows).toBe(40_981);
    expect(serialsBySplit.size).toBe(482);
  });

  // One walk of every answer (the suite's slowest step, two minutes under load) proves both: neither the 474 who never
  // consented nor a customer who revokes in the landing folder is in any answer after a refresh, before any rebuild.
  it('never shows a serialNumber or email of the 474 non-consenting customers, nor of one who revokes consent in the landing folder once refreshed, at any depth', async () => {
    const refusing = landingCustomers().filter((c) => c.shareWithResearchAsOfDate == null);
    expect(refusing).toHaveLength(474);
    const page = await queryData(lake.services, ADMIN, '{ customers(first: 30) { edges { node { serialNumber email customerName machineLearningSamples { totalCount } } } } }');
    const target = page.customers.edges.map((e: { node: Record<string, any> }) => e.node).find((c: Record<string, any>) => c.machineLearningSamples.totalCount > 0); // eslint-disable-line @typescript-eslint/no-explicit-any
    const targetRows = target.machineLearningSamples.totalCount as number;
    const before = await queryData(lake.services, ANALYST, '{ lake { liveVersion } customers { totalCount } machineLearningSamples { totalCount } }');
    expect([before.customers.totalCount, before.machineLearningSamples.totalCount]).toEqual([482, 40_981]);

    writeLanding(
      lake.landing,
      'customer',
      [{ ...customerRecord({ name: 'x', serial: target.serialNumber, consentAt: null, updatedAt: 1_800_000_000_000 }), customerName: target.customerName, email: target.email }],
      'customer-revocation.json',
    );
    await lake.services.consent.refresh();

    const after = await queryData(lake.services, ANALYST, '{ lake { liveVersion } customers { totalCount } machineLearningSamples { totalCount } }');
    expect(after.lake.liveVersion).toBe(before.lake.liveVersion);
    expect([after.customers.totalCount, after.machineLearningSamples.totalCount]).toEqual([481, 40_981 - targetRows]);
    const { strings, customers, samples } = await everyAnswer(lake.services, { nestedFirst: 25 });
    expect([customers, samples]).toEqual([481, 40_981 - targetRows]);
    const leaked = [...refusing, target].filter((c) => strings.has(c.serialNumber) || strings.has(c.email));
    expect(leaked).toEqual([]);
    // The check can fail: the other consenting customers' serials and emails are there.
    expect(strings.size).toBeGreaterThan(2 * 481);
  }, 180_000);
});

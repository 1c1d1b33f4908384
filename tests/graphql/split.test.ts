import { machineLearningExportQuery } from '../../src/graphql/machine-learning-export';
import { bucketOf, DEFAULT_SPLIT_SEED, SPLITS, splitOf } from '../../src/graphql/split';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';
import { pageThrough } from '../helpers/page-through';
import { ANALYST, queryData, runGraphql } from '../helpers/run-graphql';

const SAMPLE = 'serialNumber sensorReadingTime distanceFromObject x y z';
const serialsOf = (nodes: Record<string, unknown>[]): Set<string> => new Set(nodes.map((n) => n.serialNumber as string));

describe('training splits', () => {
  let fixture: ManyCustomers;
  let lake: TestLake;
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(250, 2);
    lake = await buildTestLake({ landing: fixture.landing });
  });
  afterAll(() => lake.close());

  it('computes the same bucket in SQL (engine dialect) as in JS', async () => {
    const version = (await lake.engine.manifest())!.versions[0].version;
    const customers = await lake.engine.tableRef('customer_curated', version);
    const rows = await lake.engine.query(`SELECT "serialNumber", ${lake.engine.dialect.bucket100('? || "serialNumber"')} AS bucket FROM ${customers}`, ['seed-x:']);
    expect(rows).toHaveLength(fixture.consenting.length);
    for (const row of rows) expect(Number(row.bucket)).toBe(bucketOf('seed-x', row.serialNumber as string));
  });

  it('puts every customer in exactly one split, whose rows add up to the whole training set', async () => {
    const all = await pageThrough(lake.services, ANALYST, 'machineLearningSamples', SAMPLE, 97);
    const bySplit = Object.fromEntries(await Promise.all(SPLITS.map(async (s) => [s, await pageThrough(lake.services, ANALYST, 'machineLearningSamples', SAMPLE, 97, `split: ${s}`)] as const)));
    expect(SPLITS.reduce((n, s) => n + bySplit[s].nodes.length, 0)).toBe(all.nodes.length);
    const [train, validation, test] = SPLITS.map((s) => serialsOf(bySplit[s].nodes));
    expect([...train].filter((s) => validation.has(s) || test.has(s))).toEqual([]);
    expect([...validation].filter((s) => test.has(s))).toEqual([]);
    expect(new Set([...train, ...validation, ...test])).toEqual(serialsOf(all.nodes));
    for (const s of SPLITS) {
      for (const serial of serialsOf(bySplit[s].nodes)) expect(splitOf(DEFAULT_SPLIT_SEED, serial, { train: 80, validation: 10 })).toBe(s);
      expect(new Set(bySplit[s].totalCounts)).toEqual(new Set([bySplit[s].nodes.length]));
    }
    // roughly 80/10/10 of 200 customers
    expect(train.size).toBeGreaterThan(140);
    expect(validation.size).toBeGreaterThan(5);
    expect(test.size).toBeGreaterThan(5);
  });

  it('gives the same split for the same seed and another split for another seed', async () => {
    const q = (seed: string) => `{ machineLearningSamples(first: 10000, split: VALIDATION, splitSeed: "${seed}") { edges { node { serialNumber } } } }`;
    const serials = async (seed: string) => serialsOf((await queryData(lake.services, ANALYST, q(seed))).machineLearningSamples.edges.map((e: { node: unknown }) => e.node));
    expect(await serials('alpha')).toEqual(await serials('alpha'));
    expect(await serials('alpha')).not.toEqual(await serials('beta'));
  });

  it("returns a customer's nested samples only in that customer's split", async () => {
    const serial = fixture.consenting[0];
    const own = splitOf(DEFAULT_SPLIT_SEED, serial, { train: 80, validation: 10 });
    for (const s of SPLITS) {
      const data = await queryData(lake.services, ANALYST, `{ customer(serialNumber: "${serial}") { machineLearningSamples(split: ${s}) { totalCount } } }`);
      expect(data.customer.machineLearningSamples.totalCount).toBe(s === own ? fixture.readingsPerCustomer : 0);
    }
  });

  it('exports exactly the rows machineLearningSamples pages through, split by split, without the email', async () => {
    for (const split of SPLITS) {
      const paged = await pageThrough(lake.services, ANALYST, 'machineLearningSamples', SAMPLE, 500, `split: ${split}, splitSeed: "export"`);
      const exported = await machineLearningExportQuery(lake.services, { split, splitSeed: 'export' });
      const rows = await lake.engine.query(exported.sql, exported.params);
      expect(rows).toEqual(paged.nodes);
      expect(Object.keys(rows[0] ?? {})).toEqual(['serialNumber', 'sensorReadingTime', 'distanceFromObject', 'x', 'y', 'z']);
    }
  });

  it.each([
    [{ split: 'TRAINING' }, /split must be one of TRAIN, VALIDATION, TEST/],
    [{ splitSeed: '' }, /splitSeed must be 1 to 200 characters/],
    [{ splitSeed: 'x' }, /splitSeed only applies to a split/],
  ])('refuses export options %j with BAD_USER_INPUT', async (options, message) => {
    await expect(machineLearningExportQuery(lake.services, options)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(message) });
  });

  it('rejects an unknown split name in GraphQL validation, before any resolver runs', async () => {
    const result = await runGraphql(lake.services, ANALYST, '{ machineLearningSamples(split: TRAINING) { totalCount } }');
    expect(result.data).toBeUndefined();
    expect(result.errors![0].message).toMatch(/"TRAINING" does not exist in "Split" enum/);
  });
});

describe('configurable split percentages', () => {
  it('follows STEDI_SPLIT: with 10/10/80 each split holds the customers the JS bucket puts there, not the default 80/10/10', async () => {
    const fixture = writeManyCustomersLanding(40, 1);
    const percentages = { train: 10, validation: 10 };
    const lake = await buildTestLake({ landing: fixture.landing, config: { split: percentages } });
    try {
      const expected = (p: { train: number; validation: number }) =>
        Object.fromEntries(SPLITS.map((s) => [s, fixture.consenting.filter((serial) => splitOf(DEFAULT_SPLIT_SEED, serial, p) === s).length]));
      const wanted = expected(percentages);
      // The fixture tells the two settings apart, so a server ignoring STEDI_SPLIT fails here.
      expect(wanted).not.toEqual(expected({ train: 80, validation: 10 }));
      expect(wanted.TEST).toBeGreaterThan(wanted.TRAIN);
      const count = async (s: string) => (await queryData(lake.services, ANALYST, `{ machineLearningSamples(split: ${s}) { totalCount } }`)).machineLearningSamples.totalCount;
      for (const s of SPLITS) expect(await count(s)).toBe(wanted[s]);
    } finally {
      await lake.close();
    }
  });
});

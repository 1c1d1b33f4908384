import type { Engine } from '../../etl/engine/engine';
import { countingEngine, type CountingEngine } from '../helpers/counting-engine';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { ANALYST, queryData } from '../helpers/run-graphql';

const nestedPage = (first: number): string => `{
  customers(first: ${first}) { edges { node { serialNumber
    accelerometerReadings(first: 2) { totalCount edges { node { x customer { serialNumber } } } pageInfo { hasNextPage } }
    stepTrainerReadings(first: 1) { edges { node { distanceFromObject customer { serialNumber } } } }
    machineLearningSamples(first: 3, split: TRAIN) { totalCount edges { node { x } } }
  } } }
}`;

describe('batched nested fields', () => {
  let lake: TestLake;
  let counting: CountingEngine;
  beforeAll(async () => {
    lake = await buildTestLake({
      landing: writeManyCustomersLanding(500, 3).landing,
      // Counting engine queries: the read cache would answer repeated pages without one.
      config: { queryCacheRows: 0 },
      wrapEngine: (engine: Engine) => {
        counting = countingEngine(engine);
        return counting.engine;
      },
    });
    await lake.services.consent.snapshot();
    // Once-per-version work (whether the version stores the readings' serialNumber) is not a request's cost.
    await queryData(lake.services, ANALYST, nestedPage(1));
  });
  afterAll(() => lake.close());

  async function queriesFor(document: string): Promise<{ count: number; data: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const before = counting.queries.length;
    const data = await queryData(lake.services, ANALYST, document);
    return { count: counting.queries.length - before, data };
  }

  it('costs the same number of engine queries for 10 customers as for 400', async () => {
    const small = await queriesFor(nestedPage(10));
    const large = await queriesFor(nestedPage(400));
    expect(small.data.customers.edges).toHaveLength(10);
    expect(large.data.customers.edges).toHaveLength(400);
    expect(large.count).toBe(small.count);
    // customers, 3 nested pages, 2 nested counts, and at most 2 batched customer lookups
    expect(large.count).toBeLessThanOrEqual(8);
  });

  it('gives every customer of a large page its own nested rows', async () => {
    const { data } = await queriesFor(nestedPage(400));
    for (const { node } of data.customers.edges) {
      expect(node.accelerometerReadings.totalCount).toBe(3);
      expect(node.accelerometerReadings.edges).toHaveLength(2);
      expect(node.accelerometerReadings.pageInfo.hasNextPage).toBe(true);
      for (const e of [...node.accelerometerReadings.edges, ...node.stepTrainerReadings.edges]) expect(e.node.customer.serialNumber).toBe(node.serialNumber);
    }
  });

  it('gives each customer of a batched page the rows, order and cursors it gets when asked for alone', async () => {
    const readings = `accelerometerReadings(first: 2) { edges { cursor node { timestamp x y z } } pageInfo { hasNextPage endCursor } }
      stepTrainerReadings(first: 2) { edges { cursor node { sensorReadingTime distanceFromObject } } pageInfo { hasNextPage } }
      machineLearningSamples(first: 2) { edges { cursor node { sensorReadingTime x } } }`;
    // Several parents: one window query per level; one parent alone: a plain keyset page.
    const batched = await queryData(lake.services, ANALYST, `{ customers(first: 6) { edges { node { serialNumber ${readings} } } } }`);
    expect(batched.customers.edges).toHaveLength(6);
    for (const { node } of batched.customers.edges) {
      const alone = await queryData(lake.services, ANALYST, `query One($s: String!) { customer(serialNumber: $s) { serialNumber ${readings} } }`, { s: node.serialNumber });
      expect(alone.customer).toEqual(node);
      expect(node.accelerometerReadings.edges.length).toBeGreaterThan(0);
    }
  });

  it('costs one engine query for a page, plus one count the first time totalCount is asked for', async () => {
    const document = '{ machineLearningSamples(first: 20, filter: { from: 1655000001000 }) { totalCount edges { node { x } } } }';
    expect((await queriesFor(document)).count).toBe(2);
    expect((await queriesFor(document)).count).toBe(1);
    expect((await queriesFor('{ machineLearningSamples(first: 20, filter: { from: 1655000001000 }) { edges { node { x } } } }')).count).toBe(1);
  });

  it('counts again when the consent registry changes', async () => {
    // totalCount alone: no page is read (count-only.ts), so the queries are the count's alone.
    const document = '{ stepTrainerReadings(first: 5, filter: { to: 1655000001000 }) { totalCount } }';
    await queriesFor(document);
    expect((await queriesFor(document)).count).toBe(0);
    const snapshot = await lake.services.consent.snapshot();
    jest.spyOn(lake.services.consent, 'snapshot').mockResolvedValue({ ...snapshot, generation: snapshot.generation + 1 });
    expect((await queriesFor(document)).count).toBe(1);
    jest.restoreAllMocks();
  });

  it('sends every request value as a bound parameter, never as SQL text', async () => {
    const marker = "serial-0001' OR '1'='1";
    const before = counting.queries.length;
    await queryData(lake.services, ANALYST, `{ accelerometerReadings(filter: { serialNumber: ${JSON.stringify(marker)} }) { totalCount edges { cursor } } machineLearningSamples(split: TEST, splitSeed: "seed'--") { edges { cursor } } }`);
    const sent = counting.queries.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    for (const sql of sent) expect(sql).not.toMatch(/OR '1'='1|seed'--/);
    expect(counting.params.slice(before).flat()).toEqual(expect.arrayContaining([marker, "seed'--:"]));
  });
});

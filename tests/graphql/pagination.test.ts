import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';
import { ANALYST, queryData } from '../helpers/run-graphql';
import { cursorText, pageThrough } from '../helpers/page-through';

const keyOf = (node: Record<string, unknown>, fields: string[]): string => JSON.stringify(fields.map((f) => node[f]));

function expectSortedUnique(nodes: Record<string, unknown>[], fields: string[]): void {
  const keys = nodes.map((n) => fields.map((f) => n[f]) as (string | number)[]);
  for (let i = 1; i < keys.length; i += 1) {
    const a = keys[i - 1];
    const b = keys[i];
    const j = a.findIndex((v, k) => v !== b[k]);
    expect(j).toBeGreaterThanOrEqual(0); // not a duplicate
    expect(a[j] < b[j]).toBe(true); // strictly increasing in key order
  }
}

describe('keyset pagination', () => {
  let fixture: ManyCustomers;
  let lake: TestLake;
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(30, 4);
    lake = await buildTestLake({ landing: fixture.landing });
  });
  afterAll(() => lake.close());

  it('returns every consenting customer once, in serialNumber order, across pages', async () => {
    const paged = await pageThrough(lake.services, ANALYST, 'customers', 'serialNumber', 7);
    expect(paged.nodes.map((n) => n.serialNumber)).toEqual(fixture.consenting);
    expect(paged.pages).toBe(Math.ceil(fixture.consenting.length / 7));
    expect(new Set(paged.totalCounts)).toEqual(new Set([fixture.consenting.length]));
  });

  it.each([
    ['accelerometerReadings', ['serialNumber', 'timestamp', 'x', 'y', 'z']],
    ['stepTrainerReadings', ['serialNumber', 'sensorReadingTime', 'distanceFromObject']],
    ['machineLearningSamples', ['serialNumber', 'sensorReadingTime', 'x', 'y', 'z']],
  ])('pages through every row of %s in key order with no duplicates or gaps', async (field, key) => {
    const expected = fixture.consenting.length * fixture.readingsPerCustomer;
    const paged = await pageThrough(lake.services, ANALYST, field, key.join(' '), 9);
    expect(paged.nodes).toHaveLength(expected);
    expectSortedUnique(paged.nodes, key);
    expect(new Set(paged.nodes.map((n) => keyOf(n, key))).size).toBe(expected);
    expect(new Set(paged.totalCounts)).toEqual(new Set([expected]));
    expect(new Set(paged.nodes.map((n) => n.serialNumber))).toEqual(new Set(fixture.consenting));
  });

  it('takes a cursor copied with spaces or a line end around it as the cursor itself', async () => {
    const query = (after: string) => `{ customers(first: 3, after: ${JSON.stringify(after)}) { edges { node { serialNumber } } } }`;
    const first = await queryData(lake.services, ANALYST, '{ customers(first: 3) { pageInfo { endCursor } } }');
    const cursor = first.customers.pageInfo.endCursor as string;
    const next = await queryData(lake.services, ANALYST, query(` ${cursor}\n`));
    expect(next).toEqual(await queryData(lake.services, ANALYST, query(cursor)));
    expect(next.customers.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber)).toEqual(fixture.consenting.slice(3, 6));
  });

  it('ends with hasNextPage false and a page exactly filled still says whether more follow', async () => {
    const rows = fixture.consenting.length * fixture.readingsPerCustomer;
    const all = await queryData(lake.services, ANALYST, `{ stepTrainerReadings(first: ${rows}) { pageInfo { hasNextPage } edges { cursor } } }`);
    expect(all.stepTrainerReadings.pageInfo.hasNextPage).toBe(false);
    const short = await queryData(lake.services, ANALYST, `{ stepTrainerReadings(first: ${rows - 1}) { pageInfo { hasNextPage } } }`);
    expect(short.stepTrainerReadings.pageInfo.hasNextPage).toBe(true);
  });

  it('gives full Relay pageInfo: startCursor and endCursor are the first and last edge cursors, hasPreviousPage true after a cursor', async () => {
    const fields = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor }';
    const first = (await queryData(lake.services, ANALYST, `{ customers(first: 3) { ${fields} } }`)).customers;
    expect(first.pageInfo.hasPreviousPage).toBe(false);
    expect(first.pageInfo.startCursor).toBe(first.edges[0].cursor);
    expect(first.pageInfo.endCursor).toBe(first.edges[2].cursor);
    const next = (await queryData(lake.services, ANALYST, `{ customers(first: 3, after: "${first.pageInfo.endCursor}") { ${fields} } }`)).customers;
    expect(next.pageInfo.hasPreviousPage).toBe(true);
    expect(next.pageInfo.startCursor).toBe(next.edges[0].cursor);
    expect(next.pageInfo.startCursor).not.toBe(first.pageInfo.endCursor);
  });

  it('gives an empty page with a null endCursor when nothing matches', async () => {
    const data = await queryData(lake.services, ANALYST, '{ accelerometerReadings(filter: { serialNumber: "no-such-serial" }) { totalCount edges { cursor } pageInfo { hasNextPage startCursor endCursor } } }');
    expect(data.accelerometerReadings).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, startCursor: null, endCursor: null } });
  });

  it('filters readings by serialNumber and an inclusive time window, and counts with the same filter', async () => {
    const serial = fixture.consenting[3];
    const data = await queryData(
      lake.services,
      ANALYST,
      `{ accelerometerReadings(filter: { serialNumber: "${serial}", from: 1655000001000, to: 1655000002000 }) { totalCount edges { node { serialNumber timestamp timestampIso } } } }`,
    );
    expect(data.accelerometerReadings.totalCount).toBe(2);
    expect(data.accelerometerReadings.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { serialNumber: serial, timestamp: 1655000001000, timestampIso: '2022-06-12T02:13:21.000Z' },
      { serialNumber: serial, timestamp: 1655000002000, timestampIso: '2022-06-12T02:13:22.000Z' },
    ]);
  });

  it('keeps personal fields out of cursors: readings are keyed by serialNumber, never by email', async () => {
    const paged = await pageThrough(lake.services, ANALYST, 'accelerometerReadings', 'serialNumber', 50);
    const data = await queryData(lake.services, ANALYST, '{ customers(first: 5) { edges { cursor } } machineLearningSamples(first: 5) { edges { cursor } } }');
    const cursors = [...paged.cursors, ...data.customers.edges.map((e: { cursor: string }) => e.cursor), ...data.machineLearningSamples.edges.map((e: { cursor: string }) => e.cursor)];
    for (const cursor of cursors) {
      expect(cursorText(cursor)).not.toMatch(/@|person/);
      expect(cursorText(cursor)).toMatch(/serial-\d{4}/);
    }
  });

  it('pages the nested readings of one customer with its own cursor', async () => {
    const serial = fixture.consenting[0];
    const query = `query($after: String) { customer(serialNumber: "${serial}") { stepTrainerReadings(first: 3, after: $after) { totalCount edges { node { sensorReadingTime } } pageInfo { hasNextPage endCursor } } } }`;
    const first = (await queryData(lake.services, ANALYST, query)).customer.stepTrainerReadings;
    expect(first.totalCount).toBe(4);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await queryData(lake.services, ANALYST, query, { after: first.pageInfo.endCursor })).customer.stepTrainerReadings;
    expect(second.pageInfo.hasNextPage).toBe(false);
    const times = [...first.edges, ...second.edges].map((e: { node: { sensorReadingTime: number } }) => e.node.sensorReadingTime);
    expect(times).toEqual([1655000000000, 1655000001000, 1655000002000, 1655000003000]);
  });

  it('cuts each nested list to `first` per customer and says which customers have more', async () => {
    const data = await queryData(
      lake.services,
      ANALYST,
      '{ customers(first: 5) { edges { node { serialNumber accelerometerReadings(first: 2) { totalCount edges { node { serialNumber timestamp } } pageInfo { hasNextPage } } } } } }',
    );
    for (const { node } of data.customers.edges) {
      expect(node.accelerometerReadings.totalCount).toBe(4);
      expect(node.accelerometerReadings.pageInfo.hasNextPage).toBe(true);
      expect(node.accelerometerReadings.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber)).toEqual([node.serialNumber, node.serialNumber]);
    }
  });

  it('uses 100 as the default page size', async () => {
    const larger = await buildTestLake({ landing: writeManyCustomersLanding(60, 4).landing });
    try {
      const data = await queryData(larger.services, ANALYST, '{ accelerometerReadings { totalCount edges { cursor } pageInfo { hasNextPage } } }');
      expect(data.accelerometerReadings.totalCount).toBeGreaterThan(100);
      expect(data.accelerometerReadings.edges).toHaveLength(100);
      expect(data.accelerometerReadings.pageInfo.hasNextPage).toBe(true);
    } finally {
      await larger.close();
    }
  });
});

import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * Every connection has `nodes`, PostGraphile's shorthand for `edges { node }`: a client written for it (the peer's
 * documents, `{ allX { nodes { … } } }`) reads the same rows, from small pages and from bulk ones (read as columns),
 * top-level and nested, from either executor.
 */

const FIELDS = [
  { field: 'customers', scalars: 'serialNumber registrationDate registrationDateIso' },
  { field: 'accelerometerReadings', scalars: 'serialNumber timestamp timestampIso x y z' },
  { field: 'stepTrainerReadings', scalars: 'serialNumber sensorReadingTime sensorReadingTimeIso distanceFromObject' },
  { field: 'machineLearningSamples', scalars: 'serialNumber sensorReadingTime sensorReadingTimeIso distanceFromObject x y z' },
];

describe('the nodes of a connection (edges { node } without cursors)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(12, 4).landing });
  });
  afterAll(() => t.close());

  async function data(document: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const res = await t.graphql(document, ANALYST_KEY, variables);
    if (res.status !== 200 || res.body.errors) throw new Error(`status ${res.status}: ${JSON.stringify(res.body.errors ?? res.body)}`);
    return res.body.data;
  }

  it.each(FIELDS.flatMap(({ field, scalars }) => [5, 2000].map((first) => ({ field, scalars, first }))))(
    '$field(first: $first): nodes are the nodes of edges, asked beside them or alone, the same from either executor',
    async ({ field, scalars, first }) => {
      const both = `query Both${field}${first} { page: ${field}(first: ${first}) { nodes { ${scalars} } edges { node { ${scalars} } } } }`;
      const alone = `query Alone${field}${first}($after: String) { page: ${field}(first: ${first}, after: $after) { nodes { ${scalars} } pageInfo { hasNextPage endCursor } } }`;
      // Asked three times: graphql-js answers first, the compiled document after.
      for (let round = 0; round < 3; round += 1) {
        const { page } = await data(both);
        expect(page.edges.length).toBeGreaterThan(0);
        expect(page.nodes).toEqual(page.edges.map((e: { node: unknown }) => e.node));
        const only = await data(alone);
        expect(only.page.nodes).toEqual(page.nodes);
      }
    },
  );

  it('pages through nodes with pageInfo.endCursor as through edges', async () => {
    const rows: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const { page }: Record<string, any> = await data('query Walk($after: String) { page: machineLearningSamples(first: 7, after: $after) { nodes { serialNumber sensorReadingTime x y z } pageInfo { hasNextPage endCursor } } }', { after });
      rows.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const whole = await data('{ page: machineLearningSamples(first: 1000) { totalCount edges { node { serialNumber sensorReadingTime x y z } } } }');
    expect(rows).toEqual(whole.page.edges.map((e: { node: unknown }) => e.node));
    expect(rows).toHaveLength(whole.page.totalCount);
  });

  it('has nodes on the nested connections of a customer', async () => {
    const nested = (list: (scalars: string) => string) =>
      `{ customers(first: 3) { ${list(`serialNumber accelerometerReadings(first: 2) { ${list('timestamp x')} } stepTrainerReadings(first: 2) { ${list('sensorReadingTime')} } machineLearningSamples(first: 2) { ${list('sensorReadingTime z')} }`)} } }`;
    const viaNodes = await data(nested((scalars) => `nodes { ${scalars} }`));
    const viaEdges = await data(nested((scalars) => `edges { node { ${scalars} } }`));
    const unwrap = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(unwrap);
      if (value === null || typeof value !== 'object') return value;
      const object = value as Record<string, unknown>;
      if ('edges' in object) return unwrap((object.edges as { node: unknown }[]).map((e) => e.node));
      if ('nodes' in object) return unwrap(object.nodes);
      return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, unwrap(v)]));
    };
    expect(viaNodes.customers.nodes).toHaveLength(3);
    expect(unwrap(viaNodes)).toEqual(unwrap(viaEdges));
  });
});

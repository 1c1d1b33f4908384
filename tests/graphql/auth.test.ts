import type { Principal } from '../../src/auth/principal';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { ADMIN, ANALYST, errorCodes, runGraphql } from '../helpers/run-graphql';

const DATA = '{ customers(first: 1) { edges { node { serialNumber } } } }';
const PERSONAL = '{ customers(first: 1) { edges { node { serialNumber customerName email phone birthDay } } } }';
const REBUILD = 'mutation { rebuildZones { id state } }';

describe('authorization at the GraphQL level', () => {
  let lake: TestLake;
  beforeAll(async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
  });
  afterAll(async () => {
    await lake.services.rebuilds.close();
    await lake.close();
  });

  const who: [string, Principal | null][] = [
    ['no principal', null],
    ['an analyst', ANALYST],
    ['an admin', ADMIN],
  ];
  const what: [string, string][] = [
    ['a data query', DATA],
    ['personal fields', PERSONAL],
    ['a rebuild', REBUILD],
  ];
  const expected: Record<string, unknown[]> = {
    'no principal/a data query': ['UNAUTHENTICATED'],
    'no principal/personal fields': ['UNAUTHENTICATED'],
    'no principal/a rebuild': ['UNAUTHENTICATED'],
    'an analyst/a data query': [],
    'an analyst/personal fields': ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN'],
    'an analyst/a rebuild': ['FORBIDDEN'],
    'an admin/a data query': [],
    'an admin/personal fields': [],
    'an admin/a rebuild': [],
  };
  const matrix = who.flatMap(([name, principal]) => what.map(([label, query]) => ({ name, principal, label, query, codes: expected[`${name}/${label}`] })));

  it.each(matrix)('answers $name asking for $label with the error codes $codes', async ({ principal, query, codes }) => {
    const result = await runGraphql(lake.services, principal, query);
    expect(errorCodes(result)).toEqual(codes);
  });

  it('shows an analyst every non-personal field and nulls each personal field with a FORBIDDEN error on that field', async () => {
    const result = await runGraphql(lake.services, ANALYST, PERSONAL);
    const node = result.data!.customers.edges[0].node;
    expect(node).toEqual({ serialNumber: 'serial-alice', customerName: null, email: null, phone: null, birthDay: null });
    expect(result.errors!.map((e) => e.path!.slice(-1)[0]).sort()).toEqual(['birthDay', 'customerName', 'email', 'phone']);
    expect(result.errors![0].message).toMatch(/needs the admin role; this API key has the analyst role/);
  });

  it('guards personal fields at every depth', async () => {
    const result = await runGraphql(lake.services, ANALYST, '{ stepTrainerReadings(first: 1) { edges { node { customer { serialNumber email } } } } }');
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
    expect(result.data!.stepTrainerReadings.edges[0].node.customer).toEqual({ serialNumber: 'serial-alice', email: null });
  });

  it('shows an admin the personal fields', async () => {
    const result = await runGraphql(lake.services, ADMIN, PERSONAL);
    expect(result.data!.customers.edges[0].node).toMatchObject({ customerName: 'alice', email: 'alice@test.com', phone: '8015551212', birthDay: '1990-01-01' });
  });

  it('keeps rebuild jobs from analysts and unauthenticated callers', async () => {
    for (const [principal, code] of [
      [ANALYST, 'FORBIDDEN'],
      [null, 'UNAUTHENTICATED'],
    ] as const) {
      expect(errorCodes(await runGraphql(lake.services, principal, '{ rebuildJobs { id } }'))).toEqual([code]);
      expect(errorCodes(await runGraphql(lake.services, principal, '{ rebuildJob(id: "x") { id } }'))).toEqual([code]);
    }
  });

  it('lets an analyst read the lake status but not unauthenticated callers', async () => {
    expect(errorCodes(await runGraphql(lake.services, ANALYST, '{ lake { liveVersion } }'))).toEqual([]);
    expect(errorCodes(await runGraphql(lake.services, null, '{ lake { liveVersion } }'))).toEqual(['UNAUTHENTICATED']);
  });
});

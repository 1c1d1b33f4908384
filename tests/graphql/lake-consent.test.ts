import { customerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';
import { ANALYST, queryData } from '../helpers/run-graphql';
import { buildTestLake, type TestLake } from '../helpers/test-lake';

/** The consent registry's counts on `lake`, as the lake page shows them. */
describe('the consent registry seen from the lake query', () => {
  let fixture: ManyCustomers;
  let lake: TestLake;
  beforeAll(async () => {
    fixture = writeManyCustomersLanding(10, 2);
    lake = await buildTestLake({ landing: fixture.landing });
  });
  afterAll(() => lake.close());

  it('counts the hidden customers, and the withdrawals the live version still holds until a rebuild', async () => {
    const query = '{ lake { hiddenCustomers withdrawnSinceBuild } }';
    expect((await queryData(lake.services, ANALYST, query)).lake).toEqual({ hiddenCustomers: fixture.refusing.length, withdrawnSinceBuild: 0 });

    const target = 2;
    expect(fixture.consenting).toContain(serialOf(target));
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(target), serial: serialOf(target), consentAt: null, updatedAt: 1_700_000_000_000 })], 'customer-revoke.json');
    await lake.services.consent.refresh();

    expect((await queryData(lake.services, ANALYST, query)).lake).toEqual({ hiddenCustomers: fixture.refusing.length + 1, withdrawnSinceBuild: 1 });
  });
});

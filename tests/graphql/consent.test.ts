import type { ConsentSnapshot } from '../../src/consent/consent-snapshot';
import { machineLearningExportQuery } from '../../src/graphql/machine-learning-export';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { customerRecord, emailOf, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';
import { everyAnswer } from '../helpers/every-answer';
import { ADMIN, ANALYST, queryData, runGraphql } from '../helpers/run-graphql';

const COUNTS = '{ customers { totalCount } accelerometerReadings { totalCount } stepTrainerReadings { totalCount } machineLearningSamples { totalCount } lake { liveVersion } }';

const revoke = (landing: string, i: number, file = `customer-revoke-${i}.json`): void => {
  writeLanding(landing, 'customer', [customerRecord({ name: nameOf(i), serial: serialOf(i), consentAt: null, updatedAt: 1_700_000_000_000 })], file);
};

describe('consent in the resolvers', () => {
  let fixture: ManyCustomers;
  let lake: TestLake;
  beforeEach(async () => {
    fixture = writeManyCustomersLanding(10, 3);
    lake = await buildTestLake({ landing: fixture.landing });
  });
  afterEach(() => lake.close());

  it('never answers with a customer who did not consent, at any depth', async () => {
    const { strings, customers } = await everyAnswer(lake.services);
    expect(customers).toBe(fixture.consenting.length);
    expect(strings).toContain(serialOf(0));
    expect(strings).toContain(emailOf(nameOf(0)));
    for (const serial of fixture.refusing) expect(strings).not.toContain(serial);
    expect(strings).not.toContain(emailOf(nameOf(4)));
  });

  it('removes a customer who revokes consent in the landing zone from every answer after a refresh, before any rebuild', async () => {
    const before = await queryData(lake.services, ADMIN, COUNTS);
    const target = 2;
    const serial = serialOf(target);
    expect((await everyAnswer(lake.services)).strings).toContain(serial);

    revoke(fixture.landing, target);
    await lake.services.consent.refresh();

    const { strings, customers } = await everyAnswer(lake.services);
    expect(strings).not.toContain(serial);
    expect(strings).not.toContain(emailOf(nameOf(target)));
    expect(customers).toBe(fixture.consenting.length - 1);
    const after = await queryData(lake.services, ADMIN, COUNTS);
    expect(after.lake.liveVersion).toBe(before.lake.liveVersion);
    expect(after.customers.totalCount).toBe(before.customers.totalCount - 1);
    for (const field of ['accelerometerReadings', 'stepTrainerReadings', 'machineLearningSamples']) {
      expect(after[field].totalCount).toBe(before[field].totalCount - fixture.readingsPerCustomer);
    }
    const direct = await queryData(lake.services, ADMIN, `{ customer(serialNumber: "${serial}") { serialNumber } stepTrainerReadings(filter: { serialNumber: "${serial}" }) { totalCount edges { cursor } } }`);
    expect(direct).toEqual({ customer: null, stepTrainerReadings: { totalCount: 0, edges: [] } });

    const exported = await machineLearningExportQuery(lake.services, {});
    const rows = await lake.engine.query(exported.sql, exported.params);
    expect(rows.some((r) => r.serialNumber === serial)).toBe(false);
    expect(rows).toHaveLength(before.machineLearningSamples.totalCount - fixture.readingsPerCustomer);
  });

  it('hides a revocation from a page read with a cursor issued before it', async () => {
    const first = await queryData(lake.services, ANALYST, '{ stepTrainerReadings(first: 2) { pageInfo { endCursor } } }');
    revoke(fixture.landing, 1);
    await lake.services.consent.refresh();
    const next = await queryData(lake.services, ANALYST, `{ stepTrainerReadings(first: 100, after: "${first.stepTrainerReadings.pageInfo.endCursor}") { edges { node { serialNumber } } } }`);
    expect(next.stepTrainerReadings.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber)).not.toContain(serialOf(1));
  });

  it('refuses the next page of a pull with STALE_CURSOR once a customer its pages may hold withdrew, and a new pull leaves them out', async () => {
    const first = await queryData(lake.services, ANALYST, '{ stepTrainerReadings(first: 2) { edges { node { serialNumber } } pageInfo { endCursor } } }');
    expect(first.stepTrainerReadings.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber)).toEqual([serialOf(0), serialOf(0)]);
    const nested = await queryData(lake.services, ANALYST, `{ customer(serialNumber: "${serialOf(2)}") { stepTrainerReadings(first: 1) { pageInfo { endCursor } } } }`);
    revoke(fixture.landing, 0);
    await lake.services.consent.refresh();
    const next = await runGraphql(lake.services, ANALYST, `{ stepTrainerReadings(first: 100, after: "${first.stepTrainerReadings.pageInfo.endCursor}") { edges { node { serialNumber } } } }`);
    expect(next.errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_CHANGED' }, message: expect.stringMatching(/^consent changed since this pull of stepTrainerReadings began .*start again from the first page$/) })]);
    // Started again, the pull reads the version under the new consent, and its cursors go on.
    const again = await queryData(lake.services, ANALYST, '{ stepTrainerReadings(first: 2) { pageInfo { endCursor } } }');
    const rest = await queryData(lake.services, ANALYST, `{ stepTrainerReadings(first: 100, after: "${again.stepTrainerReadings.pageInfo.endCursor}") { edges { node { serialNumber } } } }`);
    expect(rest.stepTrainerReadings.edges.length).toBeGreaterThan(0);
    expect(JSON.stringify(rest)).not.toContain(serialOf(0));
    // One customer's own readings do not depend on whom else consent hides: a nested cursor goes on.
    const own = await queryData(lake.services, ANALYST, `{ customer(serialNumber: "${serialOf(2)}") { stepTrainerReadings(first: 1, after: "${nested.customer.stepTrainerReadings.pageInfo.endCursor}") { edges { node { serialNumber } } } } }`);
    expect(own.customer.stepTrainerReadings.edges).toEqual([{ node: { serialNumber: serialOf(2) } }]);
  });

  it("lets a pull of one device go on when another customer withdraws: its pages hold that device's rows alone", async () => {
    const pull = (after: string | null) =>
      runGraphql(lake.services, ANALYST, 'query($after: String) { stepTrainerReadings(first: 1, after: $after, filter: { serialNumber: "' + serialOf(2) + '" }) { edges { node { serialNumber } } pageInfo { endCursor } } }', { after });
    const first = (await pull(null)).data!;
    revoke(fixture.landing, 1);
    await lake.services.consent.refresh();
    const next = await pull(first.stepTrainerReadings.pageInfo.endCursor);
    expect(next.errors).toBeUndefined();
    expect(next.data!.stepTrainerReadings.edges).toEqual([{ node: { serialNumber: serialOf(2) } }]);
    // That device's own customer withdrawing still refuses it.
    revoke(fixture.landing, 2);
    await lake.services.consent.refresh();
    expect((await pull(next.data!.stepTrainerReadings.pageInfo.endCursor)).errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_CHANGED' } })]);
  });

  it('refuses the next training page once a customer read already consents again, whose other rows it would miss', async () => {
    revoke(fixture.landing, 1, 'customer-revoke.json');
    await lake.services.consent.refresh();
    const first = await queryData(lake.services, ANALYST, `{ machineLearningBatch(first: ${fixture.readingsPerCustomer + 1}) { columns { serialNumber } pageInfo { endCursor } } }`);
    expect(first.machineLearningBatch.columns.serialNumber).toEqual([...Array(fixture.readingsPerCustomer).fill(serialOf(0)), serialOf(2)]);
    writeLanding(fixture.landing, 'customer', [customerRecord({ name: nameOf(1), serial: serialOf(1), updatedAt: 1_800_000_000_000 })], 'customer-revoke.json');
    await lake.services.consent.refresh();
    const next = await runGraphql(lake.services, ANALYST, `{ machineLearningSamples(first: 10, after: "${first.machineLearningBatch.pageInfo.endCursor}") { edges { node { serialNumber } } } }`);
    expect(next.errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_CHANGED' } })]);
  });

  it('picks up a revocation on its own within the refresh interval', async () => {
    await lake.close();
    lake = await buildTestLake({ landing: fixture.landing, config: { consentRefreshMs: 50 } });
    const generation = (await lake.services.consent.snapshot()).generation;
    revoke(fixture.landing, 0);
    // Not a timing assertion: wait (up to 20 s) for the refresh timer to notice.
    for (let i = 0; i < 400 && lake.services.consent.peek()?.generation === generation; i += 1) await new Promise((r) => setTimeout(r, 50));
    const data = await queryData(lake.services, ANALYST, '{ customers { edges { node { serialNumber } } } }');
    expect(data.customers.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber)).not.toContain(serialOf(0));
  });

  it('drops hidden customers in JS too when the SQL filter lets them through', async () => {
    const real = await lake.services.consent.snapshot();
    const hidden = serialOf(3);
    const hiddenSerials = new Set([...real.hiddenSerials, hidden]);
    const leaky: ConsentSnapshot = {
      generation: real.generation + 1000,
      digest: () => real.digest() + 1,
      refreshedAt: new Date(),
      hiddenSerials,
      hiddenEmails: new Set([...real.hiddenEmails, emailOf(nameOf(3))]),
      uncertain: 0,
      exclusionsFor: () => [],
      covers: () => true,
      hiddenIn: () => hiddenSerials,
    };
    jest.spyOn(lake.services.consent, 'snapshot').mockResolvedValue(leaky);
    const { strings } = await everyAnswer(lake.services);
    expect(strings).not.toContain(hidden);
    expect(strings).toContain(serialOf(2));
  });

  it('fails the request rather than answer unfiltered when the consent registry cannot be read', async () => {
    jest.spyOn(lake.services.consent, 'snapshot').mockRejectedValue(new Error('landing folder unreadable'));
    const result = await queryData(lake.services, ANALYST, '{ customers { totalCount } }').catch((e: Error) => e.message);
    expect(result).toMatch(/INTERNAL_SERVER_ERROR/);
    expect(result).not.toMatch(/landing folder unreadable/);
  });
});

import { buildLake } from '../helpers/etl-lake';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, emailOf, makeTempDir, stepTrainerRecord, writeLanding } from '../helpers/landing-fixture';

/**
 * A version published by another process (a `stedi build` by hand) whose first consent refresh
 * fails once: the registry has no exclusion list of it yet, so its pages are filtered, and their
 * cursors marked, by every hidden serial. Once a refresh succeeds, nobody's consent having changed,
 * the pull must go on: that next page answered STALE_CURSOR saying consent changed.
 */

const PAGE = 'query($after: String) { machineLearningSamples(first: 2, after: $after) { edges { node { serialNumber } } pageInfo { hasNextPage endCursor } } }';
const names = ['bob', 'carol', 'dave'];

describe('a pull across a consent refresh that failed once, through the HTTP app', () => {
  let test: TestApp;
  let failLanding = false;

  beforeAll(async () => {
    const landing = makeTempDir();
    writeLanding(landing, 'customer', [
      ...names.map((name) => customerRecord({ name, serial: `serial-${name}` })),
      // Two customers who withhold consent claim one device: hidden from every read, held by no version.
      customerRecord({ name: 'abe', serial: 'serial-aaa', consentAt: null }),
      customerRecord({ name: 'amy', serial: 'serial-aaa', consentAt: null }),
    ]);
    writeLanding(landing, 'accelerometer', names.flatMap((name) => [1, 2, 3].map((s) => accelerometerRecord(name, 1_655_000_000_000 + s * 1000))));
    writeLanding(landing, 'step_trainer', names.flatMap((name) => [1, 2, 3].map((s) => stepTrainerRecord(`serial-${name}`, 1_655_000_000_000 + s * 1000))));
    test = await buildTestApp({
      landing,
      wrapEngine: (engine) => {
        const wrapped = Object.create(engine) as typeof engine;
        // As a landing folder moved away for a moment: neither stat-ed nor read.
        wrapped.landingIdentity = (source) => (failLanding ? Promise.reject(new Error('landing stat failed')) : engine.landingIdentity!(source));
        wrapped.readLanding = (source, sink, options) => (failLanding ? Promise.reject(new Error('landing read failed')) : engine.readLanding!(source, sink, options));
        return wrapped;
      },
    });
  });
  afterAll(() => test.close());

  /** The first page of a pull, asked while this server's consent refresh for the newly published version fails. */
  async function firstPageWhileRefreshFails() {
    failLanding = true;
    try {
      return await test.graphql(PAGE, ANALYST_KEY, { after: null });
    } finally {
      failLanding = false;
    }
  }

  it('goes on to the next page once a refresh succeeds, nobody having withdrawn or consented', async () => {
    const { services } = test.lake;
    expect((await services.consent.snapshot()).hiddenEmails).toContain(emailOf('abe'));
    // Another process publishes a version; this server's refresh for it fails once.
    const published = await buildLake(test.lake.landing, test.lake.lake);
    const first = await firstPageWhileRefreshFails();
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.machineLearningSamples.edges).toEqual([{ node: { serialNumber: 'serial-bob' } }, { node: { serialNumber: 'serial-bob' } }]);
    expect((await services.consent.snapshot()).covers(published.version)).toBe(false);

    expect((await services.consent.refresh()).covers(published.version)).toBe(true);
    let after: string | null = first.body.data.machineLearningSamples.pageInfo.endCursor;
    const serials: string[] = first.body.data.machineLearningSamples.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber);
    while (after !== null) {
      const next = await test.graphql(PAGE, ANALYST_KEY, { after });
      expect(next.body.errors).toBeUndefined();
      const page = next.body.data.machineLearningSamples;
      serials.push(...page.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    }
    expect(serials).toEqual(names.flatMap((name) => Array(3).fill(`serial-${name}`)));
  });

  it('still refuses the next page when a customer it read withdrew meanwhile', async () => {
    const published = await buildLake(test.lake.landing, test.lake.lake);
    const first = await firstPageWhileRefreshFails();
    expect(first.body.data.machineLearningSamples.edges).toEqual([{ node: { serialNumber: 'serial-bob' } }, { node: { serialNumber: 'serial-bob' } }]);
    expect((await test.lake.services.consent.snapshot()).covers(published.version)).toBe(false);
    writeLanding(test.lake.landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_800_000_000_000 })], 'customer-revoke.json');
    expect((await test.lake.services.consent.refresh()).covers(published.version)).toBe(true);
    const next = await test.graphql(PAGE, ANALYST_KEY, { after: first.body.data.machineLearningSamples.pageInfo.endCursor });
    expect(next.body.data?.machineLearningSamples ?? null).toBeNull();
    expect(next.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_CHANGED' }, message: expect.stringMatching(/^consent changed since this pull of machineLearningSamples began/) })]);
  });
});

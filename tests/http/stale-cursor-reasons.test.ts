import { runBuild } from '../../etl/build';
import { expireHoldingVersions } from '../../src/rebuild/erasure';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, emailOf, makeTempDir, stepTrainerRecord, writeLanding } from '../helpers/landing-fixture';

/**
 * A STALE_CURSOR says why its pull cannot go on, in its message and in `extensions.reason`: a notebook restarts
 * either way, but must also discard what it read when a customer's consent is why. Before, an expired version's
 * cursor was told only that versions expire after rebuilds "and at once when they hold a customer who withdrew".
 */

const PAGE = 'query($after: String) { machineLearningSamples(first: 2, after: $after) { edges { node { serialNumber } } pageInfo { hasNextPage endCursor } } }';
const names = ['bob', 'carol', 'dave'];

interface Answer {
  data?: { machineLearningSamples: { pageInfo: { endCursor: string } } | null };
  errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
}

describe('why a cursor is stale, through the HTTP app', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
  });

  async function app(options: { keepVersions: number; lake?: string; landing?: string }): Promise<TestApp> {
    let landing = options.landing;
    if (landing === undefined) {
      landing = makeTempDir();
      writeLanding(landing, 'customer', names.map((name) => customerRecord({ name, serial: `serial-${name}` })));
      writeLanding(landing, 'accelerometer', names.flatMap((name) => [1, 2, 3].map((s) => accelerometerRecord(name, 1_655_000_000_000 + s * 1000))));
      writeLanding(landing, 'step_trainer', names.flatMap((name) => [1, 2, 3].map((s) => stepTrainerRecord(`serial-${name}`, 1_655_000_000_000 + s * 1000))));
    }
    const made = await buildTestApp({ landing, keepVersions: options.keepVersions, ...(options.lake ? { lake: options.lake, build: false } : {}) });
    apps.push(made);
    return made;
  }

  /** A build as the server's rebuild runs it: older versions holding a customer consent no longer allows expire at publish. */
  async function rebuild(test: TestApp, keepVersions: number): Promise<string> {
    const options = { keepVersions, consentPolicy: 'any' as const, expireVersions: expireHoldingVersions(test.lake.services.engine) };
    return (await runBuild(await test.lake.services.engine.buildTarget(options), options)).version;
  }

  const page = async (test: TestApp, after: string | null): Promise<Answer> => (await test.graphql(PAGE, ANALYST_KEY, { after })).body as Answer;
  const cursorOf = (answer: Answer): string => answer.data!.machineLearningSamples!.pageInfo.endCursor;

  it('says newer builds replaced the version, nobody having withdrawn, whether or not the consent refresh ran since', async () => {
    const test = await app({ keepVersions: 1 });
    const first = await page(test, null);
    await rebuild(test, 1);
    for (const refreshed of [false, true]) {
      if (refreshed) await test.lake.services.consent.refresh();
      const stale = await page(test, cursorOf(first));
      expect(stale.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'VERSION_REPLACED' }, message: expect.stringMatching(/is no longer kept: newer builds replaced it .*start again from the first page/) }),
      ]);
      expect(stale.errors![0].message).not.toMatch(/discard/);
    }
  });

  it('says consent changed while the version is kept, and that it was erased for consent once it expired, naming no customer', async () => {
    const test = await app({ keepVersions: 3 });
    const first = await page(test, null);
    expect(JSON.stringify(first.data)).toContain('serial-bob');
    writeLanding(test.lake.landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_800_000_000_000 })], 'customer-revoke.json');
    await test.lake.services.consent.refresh();
    const changed = await page(test, cursorOf(first));
    expect(changed.errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_CHANGED' } })]);

    // The erasure rebuild: the version is one of three kept by count, but holds bob.
    await rebuild(test, 3);
    for (const refreshed of [false, true]) {
      if (refreshed) await test.lake.services.consent.refresh();
      const erased = await page(test, cursorOf(first));
      expect(erased.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_ERASURE' }, message: expect.stringMatching(/expired early to erase customers who withdrew consent .* discard them and start again/) }),
      ]);
      expect(JSON.stringify(erased.errors)).not.toMatch(new RegExp(`bob|${emailOf('bob')}`));
    }

    // A server process started since (a worker replaced) never saw why: it says both, as its own reason, and, as consent
    // may be why (here it is: bob's rows are on the first page), to discard what was read. It once said only to start again.
    const later = await app({ keepVersions: 3, lake: test.lake.lake, landing: test.lake.landing });
    const unknown = await page(later, cursorOf(first));
    expect(unknown.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'STALE_CURSOR', reason: 'VERSION_EXPIRED' },
        message: expect.stringMatching(/no longer kept.*newer builds replace them, and at once when they hold a customer who withdrew consent.*discard them and start again from the first page/),
      }),
    ]);
    expect(JSON.stringify(unknown.errors)).not.toMatch(new RegExp(`bob|${emailOf('bob')}`));
  });

  it('says a version holding a device another consenting customer now names was erased for consent', async () => {
    const test = await app({ keepVersions: 3 });
    const first = await page(test, null);
    expect(JSON.stringify(first.data)).toContain('serial-bob');
    // erin consents and names bob's device: it is ambiguous, as a revocation hides it at once and erases it.
    writeLanding(test.lake.landing, 'customer', [customerRecord({ name: 'erin', serial: 'serial-bob', updatedAt: 1_800_000_000_000 })], 'customer-erin.json');
    await test.lake.services.consent.refresh();
    expect(test.lake.services.consent.pendingErasure().versions).toHaveLength(1);
    await rebuild(test, 3);
    await test.lake.services.consent.refresh();
    const erased = await page(test, cursorOf(first));
    expect(erased.errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_ERASURE' } })]);
    expect(test.lake.services.consent.pendingErasure().versions).toEqual([]);
  });
});

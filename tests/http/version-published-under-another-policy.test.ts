import { buildLake, manifestOf } from '../helpers/etl-lake';
import { download, exportedRows } from '../helpers/export-download';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { makeTempDir } from '../helpers/landing-fixture';
import { ALICE_CONSENT, lateConsentLanding, STEPS, stepsOf } from '../helpers/late-consent-landing';

/**
 * A version published while the server runs, built under another consent
 * policy than the one it is served under: a server given `as-of` never serves
 * the readings before a consent date of one built under `any` (by hand), not
 * even before a refresh has read it; a server given no policy serves a
 * version it built under `any` as `any` at once.
 */

const earlyAlice = (rows: ReadonlyArray<{ serialNumber: unknown; sensorReadingTime: unknown }>) =>
  rows.filter((row) => row.serialNumber === 'serial-alice' && Number(row.sensorReadingTime) < ALICE_CONSENT);

describe('a version built under any by hand while a server given as-of runs', () => {
  jest.setTimeout(60_000);
  let test: TestApp;
  // Released however the test ends, so closing the app never waits on the held rebuild.
  let releaseHeld: (() => void) | undefined;
  afterEach(() => {
    releaseHeld?.();
    return test?.close();
  });

  /** A server given as-of over an as-of lake (its erasure rebuild held), then a version built under any by hand. */
  async function anyBuiltByHand(): Promise<void> {
    const landing = lateConsentLanding();
    const lake = makeTempDir('stedi-by-hand-');
    await buildLake(landing, lake, { consentPolicy: 'as-of' });
    const held = new Promise<void>((resolve) => (releaseHeld = resolve));
    test = await buildTestApp({
      landing, lake, build: false, keepVersions: 3, consentPolicy: 'as-of', config: { erasureMs: 600_000 },
      wrapBuildRunner: (build) => async (...args) => {
        await held;
        return build(...args);
      },
    });
    expect(earlyAlice(stepsOf((await test.graphql(STEPS, ANALYST_KEY, {})).body))).toEqual([]);
    await buildLake(landing, lake, { consentPolicy: 'any', keepVersions: 3 });
  }

  it('answers CONSENT_UNAVAILABLE, never its readings, while the refresh that would give that version its exclusions fails', async () => {
    await anyBuiltByHand();
    // The refresh for the version just published fails (the landing unreadable for a moment, say).
    jest.spyOn(test.lake.services.consent, 'refresh').mockRejectedValueOnce(new Error('landing unreadable for a moment'));
    for (let i = 0; i < 2; i += 1) {
      const answer = (await test.graphql(STEPS, ANALYST_KEY, {})).body;
      expect(JSON.stringify(answer)).not.toContain('serial-alice');
      expect(answer.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'CONSENT_UNAVAILABLE' }) })]);
    }
    // Once a refresh reads that version, it serves nobody (hidden whole until the rebuild under as-of).
    await test.lake.services.consent.refresh();
    expect(stepsOf((await test.graphql(STEPS, ANALYST_KEY, {})).body)).toEqual([]);
  });

  it('exports none of its readings when asked before any refresh read that version', async () => {
    await anyBuiltByHand();
    const exported = await download(test.server, '?format=ndjson', ANALYST_KEY);
    const rows = await exportedRows(exported.body, 'ndjson').catch(() => []);
    expect(earlyAlice(rows as Array<{ serialNumber: unknown; sensorReadingTime: unknown }>)).toEqual([]);
    expect(rows).toEqual([]);
  });
});

describe('a server given no policy, asked to rebuild under any over an as-of lake', () => {
  jest.setTimeout(60_000);
  let test: TestApp;
  afterEach(() => test?.close());

  it('serves the version it published under any at once: every reading of its consenting customers, not nobody until the next refresh', async () => {
    const landing = lateConsentLanding();
    const lake = makeTempDir('stedi-to-any-');
    await buildLake(landing, lake, { consentPolicy: 'as-of' });
    test = await buildTestApp({ landing, lake, build: false, keepVersions: 3, config: { consentPolicyGiven: false } });
    const started = (await test.graphql('mutation { rebuildZones(consentPolicy: ANY) { id } }', ADMIN_KEY)).body;
    const id = started.data.rebuildZones.id as string;
    for (;;) {
      const { state } = (await test.graphql(`{ rebuildJob(id: "${id}") { state } }`, ADMIN_KEY)).body.data.rebuildJob;
      if (state !== 'QUEUED' && state !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await manifestOf(lake))!.versions[0].consentPolicy).toBe('any');
    const steps = stepsOf((await test.graphql(STEPS, ANALYST_KEY, {})).body);
    expect(earlyAlice(steps)).toEqual([{ serialNumber: 'serial-alice', sensorReadingTime: 1_655_000_001_000 }]);
    expect(steps).toContainEqual({ serialNumber: 'serial-bob', sensorReadingTime: 1_655_000_001_000 });
  });
});

import { existsSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildLake, manifestOf, tableFile } from '../helpers/etl-lake';
import { erasedWithin } from '../helpers/erased-within';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';
import { parquetFilesHolding } from '../helpers/parquet-scan';
import { runBin } from '../helpers/spawn-cli';

/**
 * The erasure bound, privacy first: a kept version whose customers cannot be
 * read counts as holding every hidden customer, and under `as-of` a version
 * built under `any` (every reading, those before each consent date among them)
 * serves none of its customers' readings and leaves the disk within the bound.
 */

const STEPS = `query($after: String) { stepTrainerReadings(first: 100, after: $after) { edges { node { serialNumber sensorReadingTime } } pageInfo { endCursor } } }`;
const FIRST_STEP = STEPS.replace('first: 100', 'first: 1');
const ALICE_CONSENT = 1_655_000_001_500;

type Step = { node: { serialNumber: string; sensorReadingTime: number } };
const stepsOf = (body: { data: { stepTrainerReadings: { edges: Step[] } } }): Step['node'][] => body.data.stepTrainerReadings.edges.map((e) => e.node);

describe('a kept version whose customers cannot be read', () => {
  jest.setTimeout(60_000);
  let test: TestApp;
  afterEach(() => test?.close());

  it('counts as holding a customer who withdrew consent: the server rebuilds and it leaves the disk within STEDI_ERASURE_MS, said once in the log', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-unreadable-');
    const older = await buildLake(landing, lake);
    // Dave's newer record claims alice's device: the next version holds neither, so only the older one holds alice.
    writeLanding(landing, 'customer', [customerRecord({ name: 'dave', serial: 'serial-alice', updatedAt: 1_655_500_000_000 })], 'customer-2.json');
    const live = await buildLake(landing, lake);
    const olderSteps = dirname(tableFile(older, 'step_trainer_trusted'));
    expect(await parquetFilesHolding(olderSteps, 'serial-alice')).not.toEqual([]);
    expect(await parquetFilesHolding(dirname(tableFile(live, 'step_trainer_trusted')), 'serial-alice')).toEqual([]);
    truncateSync(tableFile(older, 'customer_trusted'), 10);

    const erasureMs = 15_000;
    const log = loggedLines('warn');
    test = await buildTestApp({ landing, lake, build: false, keepVersions: 3, logger: log.logger, config: { consentRefreshMs: 300, erasureMs } });
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-3.json');
    const seenAt = Date.now();
    await test.lake.services.consent.refresh();
    await erasedWithin(test, seenAt, erasureMs);

    expect((await manifestOf(lake))!.versions.map((v) => v.version)).not.toContain(older.version);
    expect(existsSync(olderSteps)).toBe(false);
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
    const said = log.lines.map((line) => JSON.parse(line)).filter((line) => /cannot read the customers of a kept version/.test(line.msg));
    expect(said).toEqual([expect.objectContaining({ version: older.version, err: expect.objectContaining({ message: expect.any(String) }) })]);
    expect(log.lines.join('\n')).not.toContain('alice@test.com');
  });
});

describe('a lake whose consent policy moved from any to as-of', () => {
  jest.setTimeout(60_000);
  let test: TestApp;
  afterEach(() => test?.close());

  /** Small landing where alice consented after her first step-trainer reading (1_655_000_001_000); aaron's reading comes first (readings are paged by device). */
  function lateConsentLanding(): string {
    const landing = writeSmallLanding();
    writeLanding(landing, 'accelerometer', [accelerometerRecord('aaron', 1_655_000_000_500)], 'accelerometer-2.json');
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-aaron', 1_655_000_000_500, 90)], 'step_trainer-2.json');
    writeLanding(landing, 'customer', [
      customerRecord({ name: 'aaron', serial: 'serial-aaron' }),
      customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: ALICE_CONSENT }),
      customerRecord({ name: 'bob', serial: 'serial-bob' }),
      customerRecord({ name: 'carol', serial: 'serial-carol', consentAt: null }),
    ]);
    return landing;
  }

  it('expires, at the as-of build by hand, the kept version built under any: its cursors answer STALE_CURSOR naming consent', async () => {
    const landing = lateConsentLanding();
    const lake = makeTempDir('stedi-policy-');
    const older = await buildLake(landing, lake, { consentPolicy: 'any' });
    test = await buildTestApp({ landing, lake, build: false, consentPolicy: 'as-of' });
    const first = (await test.graphql(FIRST_STEP, ANALYST_KEY, {})).body;
    expect(stepsOf(first)).toHaveLength(1);

    const built = await runBin(['build', '--lake', lake, '--landing', landing, '--consent-policy', 'as-of', '--json']);
    expect(built.code).toBe(0);
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).toEqual([JSON.parse(built.stdout).version]);
    expect(existsSync(dirname(tableFile(older, 'step_trainer_trusted')))).toBe(false);
    const stale = (await test.graphql(STEPS, ANALYST_KEY, { after: first.data.stepTrainerReadings.pageInfo.endCursor })).body;
    expect(stale.errors[0].extensions.code).toBe('STALE_CURSOR');
    expect(stale.errors[0].message).toMatch(/withdrew consent/);
  });

  it('serves no reading before a consent date from the version built under any, and the server erases it within STEDI_ERASURE_MS', async () => {
    const landing = lateConsentLanding();
    const lake = makeTempDir('stedi-policy-');
    const older = await buildLake(landing, lake, { consentPolicy: 'any' });
    const erasureMs = 15_000;
    test = await buildTestApp({ landing, lake, build: false, keepVersions: 3, consentPolicy: 'as-of', config: { consentRefreshMs: 300, erasureMs } });
    const first = (await test.graphql(FIRST_STEP, ANALYST_KEY, {})).body;
    expect(stepsOf(first)).toEqual([{ serialNumber: 'serial-aaron', sensorReadingTime: 1_655_000_000_500 }]);
    const before = stepsOf(first).concat(stepsOf((await test.graphql(STEPS, ANALYST_KEY, { after: first.data.stepTrainerReadings.pageInfo.endCursor })).body));
    // Under any, alice's reading before her consent date is served.
    expect(before).toContainEqual({ serialNumber: 'serial-alice', sensorReadingTime: 1_655_000_001_000 });

    // The as-of version published without the build hook (an older stedi, a build elsewhere): only the server sees the any version.
    await buildLake(landing, lake, { consentPolicy: 'as-of', keepVersions: 3 });
    const seenAt = Date.now();
    await test.lake.services.consent.refresh();
    // Every customer of the any version is hidden from it now, aaron (whose reading the first page held) included: the pull is told so.
    const pinned = (await test.graphql(STEPS, ANALYST_KEY, { after: first.data.stepTrainerReadings.pageInfo.endCursor })).body;
    expect(pinned.errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR' }, message: expect.stringMatching(/^consent changed since this pull/) })]);
    expect(JSON.stringify(pinned)).not.toContain('serial-alice');
    expect(test.lake.services.consent.pendingErasure().versions).toContain(older.version);
    // Only the version built under any hides them: the live as-of version serves its readings meanwhile.
    const live = stepsOf((await test.graphql(STEPS, ANALYST_KEY, {})).body);
    expect(live).toContainEqual({ serialNumber: 'serial-aaron', sensorReadingTime: 1_655_000_000_500 });
    expect(live.filter((step) => step.serialNumber === 'serial-alice').length).toBeGreaterThan(0);
    expect(live.filter((step) => step.serialNumber === 'serial-alice' && step.sensorReadingTime < ALICE_CONSENT)).toEqual([]);

    await erasedWithin(test, seenAt, erasureMs);
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).not.toContain(older.version);
    expect(existsSync(dirname(tableFile(older, 'step_trainer_trusted')))).toBe(false);
  });
});

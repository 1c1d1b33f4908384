import { existsSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildLake, manifestOf, tableFile } from '../helpers/etl-lake';
import { erasedWithin } from '../helpers/erased-within';
import { everyAnswer } from '../helpers/every-answer';
import { download, exportedRows } from '../helpers/export-download';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { ALICE_CONSENT, FIRST_STEP, lateConsentLanding, STEPS, stepsOf } from '../helpers/late-consent-landing';
import { loggedLines } from '../helpers/log-lines';
import { parquetFilesHolding } from '../helpers/parquet-scan';
import { runBin } from '../helpers/spawn-cli';

/**
 * The erasure bound, privacy first: a kept version whose customers cannot be
 * read counts as holding every hidden customer, and under `as-of` a version
 * built under `any` (every reading, those before each consent date among them)
 * serves none of its customers' readings and leaves the disk within the bound.
 */

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

  it('expires, at the as-of build by hand, the kept version built under any: its cursors answer STALE_CURSOR naming consent', async () => {
    const landing = lateConsentLanding();
    const lake = makeTempDir('stedi-policy-');
    const older = await buildLake(landing, lake, { consentPolicy: 'any' });
    test = await buildTestApp({ landing, lake, build: false, config: { consentPolicyGiven: false } });
    const first = (await test.graphql(FIRST_STEP, ANALYST_KEY, {})).body;
    expect(stepsOf(first)).toHaveLength(1);

    const built = await runBin(['build', '--lake', lake, '--landing', landing, '--consent-policy', 'as-of', '--json']);
    expect(built.code).toBe(0);
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).toEqual([JSON.parse(built.stdout).version]);
    expect(existsSync(dirname(tableFile(older, 'step_trainer_trusted')))).toBe(false);
    const stale = (await test.graphql(STEPS, ANALYST_KEY, { after: first.data.stepTrainerReadings.pageInfo.endCursor })).body;
    expect(stale.errors[0].extensions.code).toBe('STALE_CURSOR');
    expect(stale.errors[0].message).toMatch(/withdrew consent/);
    // Expired for its readings before consent dates, not replaced by newer builds: the rows read must go.
    expect(stale.errors[0].extensions.reason).toBe('CONSENT_ERASURE');
  });

  it('serves no reading before a consent date from the version built under any, and the server erases it within STEDI_ERASURE_MS', async () => {
    const landing = lateConsentLanding();
    const lake = makeTempDir('stedi-policy-');
    const older = await buildLake(landing, lake, { consentPolicy: 'any' });
    const erasureMs = 15_000;
    // A server given no policy follows the lake's: the live version's.
    test = await buildTestApp({ landing, lake, build: false, keepVersions: 3, config: { consentRefreshMs: 300, erasureMs, consentPolicyGiven: false } });
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
    expect(pinned.errors).toEqual([expect.objectContaining({ extensions: { code: 'STALE_CURSOR', reason: 'CONSENT_CHANGED' }, message: expect.stringMatching(/^consent changed since this pull/) })]);
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

describe('the second consent check in JS', () => {
  jest.setTimeout(60_000);
  let test: TestApp;
  afterEach(() => test?.close());

  it("hides what a version's own exclusions hide (a kept version built under any while the lake is as-of) were its SQL exclusion missing", async () => {
    const landing = lateConsentLanding();
    const lake = makeTempDir('stedi-second-check-');
    const older = await buildLake(landing, lake, { consentPolicy: 'any' });
    const log = loggedLines('warn');
    test = await buildTestApp({ landing, lake, build: false, keepVersions: 3, logger: log.logger, config: { consentPolicyGiven: false } });
    const cursor = (await test.graphql(FIRST_STEP, ANALYST_KEY, {})).body.data.stepTrainerReadings.pageInfo.endCursor;
    await buildLake(landing, lake, { consentPolicy: 'as-of', keepVersions: 3 });
    const consent = test.lake.services.consent;
    const real = await consent.refresh();
    // Hidden from the older version alone: the SQL filter of its reads names them, the global hidden set does not.
    expect(real.exclusionsFor(older.version)).toContain('serial-alice');
    expect(real.hiddenSerials.has('serial-alice')).toBe(false);
    // The same snapshot with the older version's SQL exclusion left out.
    const leaky = { ...real, generation: real.generation + 1000, exclusionsFor: (version: string) => (version === older.version ? [] : real.exclusionsFor(version)) };
    jest.spyOn(consent, 'snapshot').mockResolvedValue(leaky);
    jest.spyOn(consent, 'snapshotFor').mockResolvedValue(leaky);

    const pinned = (await test.graphql(STEPS, ANALYST_KEY, { after: cursor })).body;
    expect(pinned.errors).toBeUndefined();
    expect(stepsOf(pinned)).toEqual([]);
    // The SQL did let them through: the JS check dropped them, and said so.
    const dropped = log.lines.map((line) => JSON.parse(line)).filter((line) => /consent check in JS dropped rows/.test(line.msg));
    expect(dropped).toEqual([expect.objectContaining({ version: older.version, dropped: expect.any(Number) })]);
  });
});

describe('a server given as-of over a lake built under any', () => {
  jest.setTimeout(60_000);
  let test: TestApp;
  // Released however the test ends, so closing the app never waits on the held rebuild.
  let releaseHeld: (() => void) | undefined;
  afterEach(() => {
    releaseHeld?.();
    return test?.close();
  });

  it('serves no reading from the live version built under any (pages, pinned cursors, nested fields, counts, batches, exports) and rebuilds under as-of at once, said once in the log', async () => {
    const landing = lateConsentLanding();
    const lake = makeTempDir('stedi-served-');
    const older = await buildLake(landing, lake, { consentPolicy: 'any' });
    // A cursor pinned to that version, issued by a server that follows the lake's policy.
    test = await buildTestApp({ landing, lake, build: false, config: { consentPolicyGiven: false } });
    const cursor = (await test.graphql(FIRST_STEP, ANALYST_KEY, {})).body.data.stepTrainerReadings.pageInfo.endCursor;
    await test.close();

    // The server's rebuild waits until released, so what is served meanwhile is seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    releaseHeld = release;
    const erasureMs = 15_000;
    const log = loggedLines('warn');
    const seenAt = Date.now();
    test = await buildTestApp({
      landing, lake, build: false, keepVersions: 3, consentPolicy: 'as-of', logger: log.logger, config: { consentRefreshMs: 300, erasureMs },
      wrapBuildRunner: (build) => async (...args) => {
        await held;
        return build(...args);
      },
    });
    // The rebuild starts at once (the version serves nobody meanwhile), well within the bound.
    while (!test.lake.services.rebuilds.current() && Date.now() - seenAt < erasureMs / 3) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(test.lake.services.rebuilds.current()).toBeDefined();
    const every = await everyAnswer(test.lake.services);
    expect([...every.strings].filter((s) => s.startsWith('serial-'))).toEqual([]);
    expect(every.samples).toBe(0);
    // The pinned pull read customers now hidden: it is told to start again, and given no rows.
    const pinned = (await test.graphql(STEPS, ANALYST_KEY, { after: cursor })).body;
    expect(pinned.errors?.map((e: { extensions: { code: string }; message: string }) => [e.extensions.code, /^consent changed since this pull/.test(e.message)])).toEqual([['STALE_CURSOR', true]]);
    expect(pinned.data?.stepTrainerReadings ?? null).toBeNull();
    const counts = (await test.graphql('{ stepTrainerReadings { totalCount } machineLearningBatch(first: 100) { rowCount } }', ANALYST_KEY)).body.data;
    expect(counts).toEqual({ stepTrainerReadings: { totalCount: 0 }, machineLearningBatch: { rowCount: 0 } });
    const exported = await download(test.server, '?format=ndjson', ANALYST_KEY);
    expect(exported.status).toBe(200);
    expect(await exportedRows(exported.body, 'ndjson').catch(() => [])).toEqual([]);

    release();
    await erasedWithin(test, seenAt, erasureMs);
    const manifest = (await manifestOf(lake))!;
    expect(manifest.versions.map((v) => [v.version === older.version, v.consentPolicy])).toEqual([[false, 'as-of']]);
    expect(existsSync(dirname(tableFile(older, 'step_trainer_trusted')))).toBe(false);
    const live = stepsOf((await test.graphql(STEPS, ANALYST_KEY, {})).body);
    expect(live.filter((step) => step.serialNumber === 'serial-alice').length).toBeGreaterThan(0);
    expect(live.filter((step) => step.serialNumber === 'serial-alice' && step.sensorReadingTime < ALICE_CONSENT)).toEqual([]);
    const said = log.lines.map((line) => JSON.parse(line)).filter((line) => /built under consent policy any but this server serves as-of/.test(line.msg));
    expect(said).toEqual([expect.objectContaining({ level: 40, version: older.version })]);
  });
});

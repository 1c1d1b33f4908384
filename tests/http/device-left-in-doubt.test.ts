import { buildLake, manifestOf } from '../helpers/etl-lake';
import { erasedWithin } from '../helpers/erased-within';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { parquetFilesHolding } from '../helpers/parquet-scan';

/**
 * Doubt hides a device a customer has left in the kept versions built while it was theirs. A quarantined line
 * naming a device may be another customer's record on it, perhaps withholding consent (devices follow consent): a
 * build leaves the device out once no customer's freshest record names it, but a version built before alice moved
 * to another device holds it, with all its readings, as hers. Before, the consent registry weighed only the
 * freshest records' devices against bad lines, so that version went on serving the device's readings to a cursor
 * pinned to it and was never erased, while the same claim in a valid record hid it at once.
 */

const STEPS = `query ($after: String) { stepTrainerReadings(first: 1, after: $after) { nodes { serialNumber } pageInfo { endCursor } } }`;

describe('a device a customer has left, which a quarantined line names', () => {
  jest.setTimeout(60_000);
  let test: TestApp;
  afterEach(() => test?.close());

  const moved = customerRecord({ name: 'alice', serial: 'alices-new-device', updatedAt: 1_656_000_000_000 });
  it.each([
    // Her older record on it stays in landing.
    ['her older record kept, a line naming it under its key', (landing: string) => {
      writeLanding(landing, 'customer', [moved], 'customer-2.json');
      writeLanding(landing, 'customer', ['{"customerName":"mallory","email":"mallory@test.com","serialNumber":"serial-alice","lastUpdateDate":1657000000000,"shareWithResearchAsOfDate":null'], 'customer-3.json');
    }],
    // Her customer file rewritten with her new record only: no record of hers names the device any more.
    ['her older record removed, a line naming it in its text only', (landing: string) => {
      writeLanding(landing, 'customer', [moved, customerRecord({ name: 'bob', serial: 'serial-bob' }), customerRecord({ name: 'carol', serial: 'serial-carol', consentAt: null })]);
      writeLanding(landing, 'customer', ['mallory now has SERIAL-ALICE, no research please'], 'customer-3.json');
    }],
  ])('is hidden from the kept version that holds it as hers, and that version leaves the disk within STEDI_ERASURE_MS (%s)', async (_how, change) => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-device-left-');
    const older = await buildLake(landing, lake);
    const erasureMs = 15_000;
    test = await buildTestApp({ landing, lake, build: false, keepVersions: 3, config: { consentRefreshMs: 300, erasureMs } });
    // A client's pull of the older version, pinned to it by its cursor (alice's device's readings come first).
    const first = (await test.graphql(STEPS, ANALYST_KEY, {})).body;
    expect(first.data.stepTrainerReadings.nodes).toEqual([{ serialNumber: 'serial-alice' }]);

    // alice moves to another device; a line of mallory's that no build can read names the one she left.
    change(landing);
    const seenAt = Date.now();
    await test.lake.services.consent.refresh();
    const next = (await test.graphql(STEPS, ANALYST_KEY, { after: first.data.stepTrainerReadings.pageInfo.endCursor })).body;
    const served = (next.data?.stepTrainerReadings?.nodes ?? []).map((n: { serialNumber: string }) => n.serialNumber);
    expect(served).not.toContain('serial-alice');

    await erasedWithin(test, seenAt, erasureMs);
    expect((await manifestOf(lake))!.versions.map((v) => v.version)).not.toContain(older.version);
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
  });
});

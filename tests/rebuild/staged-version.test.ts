import { readFileSync, writeFileSync } from 'node:fs';
import type { VersionManifest } from '../../etl/manifest';
import { LakeLayout } from '../../etl/engine/duckdb/lake-layout';
import type { RebuildJobs } from '../../src/rebuild/rebuild-jobs';
import { customerRecord, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { ANALYST, errorCodes, queryData, runGraphql } from '../helpers/run-graphql';
import { countingEngine, type CountingEngine } from '../helpers/counting-engine';
import { buildTestLake, type TestLake } from '../helpers/test-lake';

const CUSTOMERS = '{ customers(first: 10) { edges { node { serialNumber accelerometerReadings(first: 10) { edges { node { serialNumber } } } } } } }';
const serialsOf = (data: Record<string, any>): string[] => data.customers.edges.map((e: { node: { serialNumber: string } }) => e.node.serialNumber); // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs one rebuild of `lake` to its end, with `hook` in place of (or around) the server's own loading before the publish. */
async function rebuildWith(lake: TestLake, hook: (version: VersionManifest, stage: (v: VersionManifest) => Promise<void>) => Promise<void>): Promise<string> {
  const jobs = lake.services.rebuilds as RebuildJobs;
  const stage = jobs.beforePublish!;
  jobs.beforePublish = (version) => hook(version, stage);
  const job = await jobs.start();
  await jobs.settled();
  expect(jobs.get(job.id)).toMatchObject({ state: 'SUCCEEDED' });
  return jobs.get(job.id)!.version!;
}

describe('a rebuild loading its new version before publishing it', () => {
  let lake: TestLake;
  afterEach(() => lake.close());

  it('loads the version and gives it its own consent exclusions before the manifest names it; the first request needs neither', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
    const before = (await lake.engine.manifest())!.versions[0]!.version;
    let seen: { live: string; state: string; covered: boolean } | undefined;
    const built = await rebuildWith(lake, async (version, stage) => {
      // bob withdraws after the build read landing: the new version holds him.
      writeLanding(lake.landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
      await stage(version);
      seen = { live: (await lake.engine.manifest())!.versions[0]!.version, state: lake.engine.versionState!(version.version).state, covered: lake.services.consent.peek()!.covers(version.version) };
    });
    expect(seen).toEqual({ live: before, state: 'loaded', covered: true });
    expect(lake.services.consent.peek()!.exclusionsFor(built)).toEqual(['serial-bob']);

    const refresh = jest.spyOn(lake.services.consent, 'refresh');
    const data = await queryData(lake.services, ANALYST, `{ lake { liveVersion } ${CUSTOMERS.slice(1, -1)} }`);
    expect(data.lake.liveVersion).toBe(built);
    expect(serialsOf(data)).toEqual(['serial-alice']);
    expect(refresh).not.toHaveBeenCalled();
  });

  it("answers the first request after the switch with no query when the live version's readers asked the same", async () => {
    let counting: CountingEngine;
    lake = await buildTestLake({ landing: writeSmallLanding(), wrapEngine: (engine) => (counting = countingEngine(engine)).engine });
    const onLive = await queryData(lake.services, ANALYST, CUSTOMERS);
    const built = await rebuildWith(lake, (version, stage) => stage(version));
    const before = counting!.queries.length;
    expect(await queryData(lake.services, ANALYST, CUSTOMERS)).toEqual(onLive);
    expect(counting!.queries.slice(before)).toEqual([]);
    expect((await queryData(lake.services, ANALYST, '{ lake { liveVersion } }')).lake.liveVersion).toBe(built);
  });

  it("does not re-read consent on the publish of a staged version, unless an erasure is pending (its expired versions must leave the list at once)", async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
    const refreshesAfterStaging = async (withdraw: boolean): Promise<number> => {
      let refresh: jest.SpyInstance | undefined;
      await rebuildWith(lake, async (version, stage) => {
        if (withdraw) writeLanding(lake.landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
        await stage(version);
        refresh = jest.spyOn(lake.services.consent, 'refresh');
      });
      const calls = refresh!.mock.calls.length;
      refresh!.mockRestore();
      return calls;
    };
    expect(await refreshesAfterStaging(false)).toBe(0);
    expect(lake.services.consent.pendingErasure().versions).toEqual([]);
    // bob withdraws: the versions kept before hold him, so the publish refreshes.
    expect(await refreshesAfterStaging(true)).toBeGreaterThan(0);
    expect(lake.services.consent.pendingErasure().versions.length).toBeGreaterThan(0);
  });

  it('publishes anyway when loading the version takes longer than its time limit', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
    (lake.services.rebuilds as RebuildJobs).stageTimeoutMs = 50;
    const built = await rebuildWith(lake, () => new Promise(() => undefined));
    const data = await queryData(lake.services, ANALYST, `{ lake { liveVersion } ${CUSTOMERS.slice(1, -1)} }`);
    expect(data.lake.liveVersion).toBe(built);
    expect(serialsOf(data)).toEqual(['serial-alice', 'serial-bob']);
  });

  it('never serves a version whose file is damaged before it is published', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
    await rebuildWith(lake, async (version, stage) => {
      const file = new LakeLayout(lake.lake).located(version.tables.customer_curated.location);
      writeFileSync(file, Buffer.alloc(readFileSync(file).length, 7));
      await stage(version);
    });
    expect(errorCodes(await runGraphql(lake.services, ANALYST, CUSTOMERS))).toEqual(['LAKE_DAMAGED']);
  });
});

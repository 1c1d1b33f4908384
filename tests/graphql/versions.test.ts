import { runBuild } from '../../etl/build';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { accelerometerRecord, writeLanding } from '../helpers/landing-fixture';
import { nameOf, writeManyCustomersLanding, type ManyCustomers } from '../helpers/many-customers-landing';
import { cursorText } from '../helpers/page-through';
import { ADMIN, ANALYST, errorCodes, queryData, runGraphql } from '../helpers/run-graphql';

const PAGE = `query($after: String) { accelerometerReadings(first: 10, after: $after) { totalCount edges { node { serialNumber timestamp x y z } } pageInfo { hasNextPage endCursor } } }`;

/** A build through the engine's own write side, as rebuildZones does. */
async function rebuild(lake: TestLake, keepVersions: number): Promise<string> {
  const options = { keepVersions, consentPolicy: 'any' as const };
  return (await runBuild(await lake.engine.buildTarget(options), options)).version;
}

/** New landing data, so the next version differs from the current one. */
const addReadings = (fixture: ManyCustomers): void => {
  writeLanding(fixture.landing, 'accelerometer', [accelerometerRecord(nameOf(0), 1_654_000_000_000, 9, 9, 9)], 'accelerometer-2.json');
};

describe('cursors pin a lake version', () => {
  let fixture: ManyCustomers;
  let lake: TestLake;
  afterEach(() => lake.close());

  it('keeps paging the version a cursor started on after a rebuild swaps in a new one', async () => {
    fixture = writeManyCustomersLanding(8, 4);
    lake = await buildTestLake({ landing: fixture.landing, keepVersions: 3 });
    const first = (await queryData(lake.services, ANALYST, PAGE)).accelerometerReadings;
    const oldVersion = JSON.parse(cursorText(first.pageInfo.endCursor)).v;

    addReadings(fixture);
    const newVersion = await rebuild(lake, 3);
    expect(newVersion).not.toBe(oldVersion);
    const live = (await queryData(lake.services, ANALYST, '{ lake { liveVersion } accelerometerReadings { totalCount } }'));
    expect(live.lake.liveVersion).toBe(newVersion);
    expect(live.accelerometerReadings.totalCount).toBe(first.totalCount + 1);

    // The rest of the old snapshot: same total, no duplicates, nothing from the new version.
    const rows = [...first.edges];
    let page = first;
    while (page.pageInfo.hasNextPage) {
      page = (await queryData(lake.services, ANALYST, PAGE, { after: page.pageInfo.endCursor })).accelerometerReadings;
      expect(page.totalCount).toBe(first.totalCount);
      expect(JSON.parse(cursorText(page.pageInfo.endCursor)).v).toBe(oldVersion);
      rows.push(...page.edges);
    }
    expect(rows).toHaveLength(first.totalCount);
    expect(new Set(rows.map((e) => JSON.stringify(e.node))).size).toBe(first.totalCount);
    expect(rows.some((e) => e.node.timestamp === 1_654_000_000_000)).toBe(false);
  });

  it('answers STALE_CURSOR once the version a cursor started on is no longer kept', async () => {
    fixture = writeManyCustomersLanding(4, 2);
    lake = await buildTestLake({ landing: fixture.landing, keepVersions: 1 });
    const first = (await queryData(lake.services, ANALYST, PAGE)).accelerometerReadings;
    await rebuild(lake, 1);
    const result = await runGraphql(lake.services, ANALYST, PAGE, { after: first.pageInfo.endCursor });
    expect(errorCodes(result)).toEqual(['STALE_CURSOR']);
    // Nobody withdrew: newer builds replaced it, and the message says so rather than naming both causes.
    expect(result.errors![0].message).toMatch(/no longer kept: newer builds replaced it.*start again from the first page/);
    expect(result.errors![0].extensions).toEqual({ code: 'STALE_CURSOR', reason: 'VERSION_REPLACED' });
  });

  it('answers STALE_CURSOR for a nested cursor whose version expired', async () => {
    fixture = writeManyCustomersLanding(4, 3);
    lake = await buildTestLake({ landing: fixture.landing, keepVersions: 1 });
    const q = `query($after: String) { customer(serialNumber: "serial-0000") { stepTrainerReadings(first: 1, after: $after) { pageInfo { endCursor } } } }`;
    const first = (await queryData(lake.services, ANALYST, q)).customer.stepTrainerReadings;
    await rebuild(lake, 1);
    expect(errorCodes(await runGraphql(lake.services, ANALYST, q, { after: first.pageInfo.endCursor }))).toEqual(['STALE_CURSOR']);
  });

  it('answers every query without an error while rebuildZones runs and swaps versions', async () => {
    fixture = writeManyCustomersLanding(20, 5);
    lake = await buildTestLake({ landing: fixture.landing, keepVersions: 2 });
    const before = (await queryData(lake.services, ANALYST, '{ lake { liveVersion } }')).lake.liveVersion;
    addReadings(fixture);
    const started = await queryData(lake.services, ADMIN, 'mutation { rebuildZones { id state } }');
    const id = started.rebuildZones.id;
    const query = '{ machineLearningSamples(first: 50) { totalCount edges { node { serialNumber } } } customers(first: 5) { edges { node { stepTrainerReadings(first: 2) { totalCount } } } } }';
    const errors: unknown[] = [];
    let state: string = started.rebuildZones.state;
    expect(['QUEUED', 'RUNNING']).toContain(state);
    // Answers of a batch that began and ended with the job still queued or running were surely served during the build.
    let answeredDuringBuild = 0;
    while (state === 'QUEUED' || state === 'RUNNING') {
      const results = await Promise.all(Array.from({ length: 4 }, () => runGraphql(lake.services, ANALYST, query)));
      for (const r of results) if (r.errors) errors.push(...r.errors);
      state = (await queryData(lake.services, ADMIN, `{ rebuildJob(id: "${id}") { state } }`)).rebuildJob.state;
      if (state === 'QUEUED' || state === 'RUNNING') answeredDuringBuild += results.length;
      // Answers from the read cache resolve without I/O; let the build's I/O run as a server's event loop would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const r of await Promise.all(Array.from({ length: 4 }, () => runGraphql(lake.services, ANALYST, query)))) if (r.errors) errors.push(...r.errors);
    expect(state).toBe('SUCCEEDED');
    expect(errors).toEqual([]);
    expect(answeredDuringBuild).toBeGreaterThan(0);
    expect((await queryData(lake.services, ANALYST, '{ lake { liveVersion } }')).lake.liveVersion).not.toBe(before);
  });
});

import { download } from '../helpers/export-download';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { hasStediSample, STEDI_SAMPLE_DIR } from '../helpers/stedi-sample';
import { writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A rebuild started through the API while clients keep querying and
 * exporting: every request succeeds, before, during and after the swap.
 * On the real data when present (a longer build, more overlap), else on a fixture.
 */

const QUERIES = [
  '{ customers(first: 50) { totalCount edges { node { serialNumber stepTrainerReadings(first: 5) { edges { node { distanceFromObject } } } } } } }',
  '{ machineLearningSamples(first: 500, split: TRAIN) { totalCount edges { node { serialNumber x y z } } pageInfo { hasNextPage endCursor } } }',
  '{ lake { liveVersion } accelerometerReadings(first: 100) { edges { node { x } } } }',
];

describe('a rebuild under concurrent queries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: hasStediSample ? STEDI_SAMPLE_DIR : writeSmallLanding() });
  });
  afterAll(() => t.close());

  it('answers every query and export without an error while the zones are rebuilt and swapped', async () => {
    const before = (await t.graphql('{ lake { liveVersion } }', ANALYST_KEY)).body.data.lake.liveVersion;
    const started = await t.graphql('mutation { rebuildZones { id state } }', ADMIN_KEY);
    expect(started.body.errors).toBeUndefined();
    const id: string = started.body.data.rebuildZones.id;

    const failures: unknown[] = [];
    let duringBuild = 0;
    let state = started.body.data.rebuildZones.state as string;
    for (let round = 0; state === 'QUEUED' || state === 'RUNNING'; round++) {
      if (state === 'RUNNING') duringBuild += 1;
      const results = await Promise.all([
        ...QUERIES.map((q) => t.graphql(q, ANALYST_KEY)),
        download(t.server, '?format=parquet&split=TEST', ANALYST_KEY),
      ]);
      for (const res of results) {
        const errors = res.type === 'application/json' ? res.body.errors : undefined;
        if (res.status !== 200 || errors) failures.push({ round, status: res.status, errors });
      }
      const job = await t.graphql(`{ rebuildJob(id: "${id}") { state error } }`, ADMIN_KEY);
      state = job.body.data.rebuildJob.state;
      expect(job.body.data.rebuildJob.error).toBeNull();
    }

    expect(failures).toEqual([]);
    expect(state).toBe('SUCCEEDED');
    // The rounds must have overlapped the build, or this test proves nothing.
    expect(duringBuild).toBeGreaterThan(0);
    const after = (await t.graphql('{ lake { liveVersion } }', ANALYST_KEY)).body.data.lake.liveVersion;
    expect(after).not.toBe(before);
    const final = await Promise.all(QUERIES.map((q) => t.graphql(q, ANALYST_KEY)));
    expect(final.map((r) => r.body.errors)).toEqual(QUERIES.map(() => undefined));
  });
});

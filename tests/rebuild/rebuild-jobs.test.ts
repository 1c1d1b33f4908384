import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { JOBS_KEPT } from '../../src/rebuild/rebuild-jobs';
import type { RebuildJob } from '../../src/rebuild/rebuild-job';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { ADMIN, errorCodes, queryData, runGraphql } from '../helpers/run-graphql';

const JOB_FIELDS = 'id state consentPolicy createdAt createdAtIso startedAt finishedAtIso version error completedSteps totalSteps steps { name kind state rows }';

async function finished(lake: TestLake, id: string): Promise<RebuildJob> {
  await lake.services.rebuilds.settled();
  return lake.services.rebuilds.get(id)!;
}

describe('background rebuild jobs', () => {
  let lake: TestLake;
  afterEach(() => lake.close());

  it('returns the job at once, reports every step with its row count, and publishes a new live version (built in a child process, as a server does)', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding(), rebuildProcess: true });
    const before = (await queryData(lake.services, ADMIN, '{ lake { liveVersion } }')).lake.liveVersion;
    const started = (await queryData(lake.services, ADMIN, `mutation { rebuildZones { ${JOB_FIELDS} } }`)).rebuildZones;
    expect(['QUEUED', 'RUNNING']).toContain(started.state);
    expect(started.finishedAtIso).toBeNull();
    expect(started.totalSteps).toBe(10);

    await finished(lake, started.id);
    const job = (await queryData(lake.services, ADMIN, `{ rebuildJob(id: "${started.id}") { ${JOB_FIELDS} } }`)).rebuildJob;
    expect(job.state).toBe('SUCCEEDED');
    expect(job.error).toBeNull();
    expect(job.completedSteps).toBe(job.totalSteps);
    expect(job.steps.every((s: { state: string }) => s.state === 'DONE')).toBe(true);
    const rows = Object.fromEntries(job.steps.map((s: { name: string; rows: number | null }) => [s.name, s.rows]));
    expect(rows).toMatchObject({ customer_landing: 3, customer_trusted: 2, accelerometer_trusted: 4, step_trainer_trusted: 3, machine_learning_curated: 4 });
    expect(job.startedAt).toBeGreaterThanOrEqual(job.createdAt);
    const live = (await queryData(lake.services, ADMIN, '{ lake { liveVersion versions { version live } } }')).lake;
    expect(live.liveVersion).toBe(job.version);
    expect(live.liveVersion).not.toBe(before);
    expect(live.versions.map((v: { version: string }) => v.version)).toEqual([job.version, before]);
  });

  it('returns the running job to a second call instead of starting another build', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
    const [a, b] = await Promise.all([lake.services.rebuilds.start(), lake.services.rebuilds.start()]);
    const c = await lake.services.rebuilds.start();
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    await finished(lake, a.id);
    expect(lake.services.rebuilds.list()).toHaveLength(1);
    const next = await lake.services.rebuilds.start();
    expect(next.id).not.toBe(a.id);
    await finished(lake, next.id);
  });

  it("rebuilds with the live version's consent policy by default and with the one given otherwise", async () => {
    // A server given no policy (one given as-of refuses ANY: below).
    lake = await buildTestLake({ landing: writeSmallLanding(), consentPolicy: 'as-of', config: { consentPolicyGiven: false } });
    const byDefault = (await queryData(lake.services, ADMIN, 'mutation { rebuildZones { id consentPolicy } }')).rebuildZones;
    expect(byDefault.consentPolicy).toBe('AS_OF');
    await finished(lake, byDefault.id);
    const given = (await queryData(lake.services, ADMIN, 'mutation { rebuildZones(consentPolicy: ANY) { id consentPolicy } }')).rebuildZones;
    expect(given.consentPolicy).toBe('ANY');
    await finished(lake, given.id);
    expect((await queryData(lake.services, ADMIN, '{ lake { consentPolicy } }')).lake.consentPolicy).toBe('ANY');
  });

  it('refuses ANY on a server given as-of, saying what to ask instead, and starts nothing', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding(), consentPolicy: 'as-of' });
    const refused = await queryData(lake.services, ADMIN, 'mutation { rebuildZones(consentPolicy: ANY) { id } }').catch((e: Error) => e.message);
    expect(refused).toMatch(/BAD_USER_INPUT/);
    expect(refused).toMatch(/serves consentPolicy AS_OF .*ask for AS_OF or no consentPolicy/);
    expect(lake.services.rebuilds.list()).toEqual([]);
  });

  it('reports a failed build with a safe message and keeps the previous version live', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
    const before = (await queryData(lake.services, ADMIN, '{ lake { liveVersion } }')).lake.liveVersion;
    rmSync(join(lake.landing, 'step_trainer'), { recursive: true });
    const started = await lake.services.rebuilds.start();
    const job = await finished(lake, started.id);
    expect(job.state).toBe('FAILED');
    expect(job.error).toMatch(/the build failed; the previous version stays live/);
    expect(job.error).not.toContain(lake.landing);
    expect(job.finishedAt).not.toBeNull();
    expect((await queryData(lake.services, ADMIN, '{ lake { liveVersion } }')).lake.liveVersion).toBe(before);
  });

  it('answers NOT_FOUND for an unknown job id', async () => {
    lake = await buildTestLake({ landing: writeSmallLanding() });
    const result = await runGraphql(lake.services, ADMIN, '{ rebuildJob(id: "no-such-job") { id } }');
    expect(errorCodes(result)).toEqual(['NOT_FOUND']);
  });

  it(`keeps only the last ${JOBS_KEPT} finished jobs`, async () => {
    lake = await buildTestLake({ landing: writeSmallLanding(), keepVersions: 1 });
    const ids: string[] = [];
    for (let i = 0; i < JOBS_KEPT + 2; i += 1) {
      const job = await lake.services.rebuilds.start();
      ids.push(job.id);
      await finished(lake, job.id);
    }
    const kept = lake.services.rebuilds.list().map((j) => j.id);
    expect(kept).toEqual(ids.slice(-JOBS_KEPT).reverse());
    expect(lake.services.rebuilds.get(ids[0])).toBeUndefined();
  }, 120_000);
});

import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processStart } from '../../etl/dead-process-folders';
import { erasureStateOf } from '../../src/rebuild/erasure';
import { RebuildProcessDiedError } from '../../src/rebuild/rebuild-process';
import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';

/** What an admin reads of a rebuild that failed, through /graphql, with the build in a child process as a server runs it. */

const JOB_FIELDS = 'state error completedSteps steps { name state rows }';

async function failedJob(t: TestApp): Promise<{ state: string; error: string; steps: Array<{ name: string; state: string; rows: number | null }> }> {
  const started = await t.graphql('mutation { rebuildZones { id } }', ADMIN_KEY);
  const id: string = started.body.data.rebuildZones.id;
  await t.lake.services.rebuilds.settled();
  const res = await t.graphql(`{ rebuildJob(id: "${id}") { ${JOB_FIELDS} } }`, ADMIN_KEY);
  expect(res.body.errors).toBeUndefined();
  return res.body.data.rebuildJob;
}

describe('a failed rebuild', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t.close());

  it('ends the steps that were running as FAILED, leaves those never started PENDING, and keeps those done', async () => {
    const { logger, lines: logs } = loggedLines();
    t = await buildTestApp({ landing: writeSmallLanding(), rebuildProcess: true, logger });
    // Two landing sources fail while the third loads beside them.
    for (const source of ['accelerometer', 'step_trainer']) rmSync(join(t.lake.landing, source), { recursive: true });
    const job = await failedJob(t);
    expect(job.state).toBe('FAILED');
    const states = Object.fromEntries(job.steps.map((s) => [s.name, s.state]));
    expect(states).toEqual({
      customer_landing: 'DONE',
      accelerometer_landing: 'FAILED',
      step_trainer_landing: 'FAILED',
      customer_trusted: 'PENDING',
      accelerometer_trusted: 'PENDING',
      step_trainer_trusted: 'PENDING',
      customer_curated: 'PENDING',
      machine_learning_curated: 'PENDING',
      checks: 'PENDING',
      publish: 'PENDING',
    });
    expect(job.steps.find((s) => s.name === 'customer_landing')!.rows).toBe(3);
    // A failure of its own: the erasure counts it as one and waits before trying again.
    expect(erasureStateOf(t.lake.services.rebuilds.list()[0])).toBe('FAILED');
    // The landing folder is the server's (outside the lake here): the admin is told what is wrong, and where to find the path.
    expect(job.error).toMatch(/^the build failed; the previous version stays live: a landing folder is missing or holds something other than landing files; the server log names it \(rebuild job \S+\)$/);
    // The operator's to fix, as its reason says: one line naming the folder, no stack.
    const failed = logs.map((l) => JSON.parse(l)).filter((l) => /rebuild (refused|failed)/.test(l.msg));
    expect(failed).toEqual([expect.objectContaining({ level: 50, msg: 'rebuild failed; the previous version stays live', reason: expect.stringMatching(/^landing folder .*(accelerometer|step_trainer)/) })]);
    expect(JSON.stringify(failed)).not.toMatch(/stack|"err"/);
  });

  it('is refused while another build holds the lake, said to the admin, and logged as a warning without a stack', async () => {
    const { logger, lines: logs } = loggedLines();
    t = await buildTestApp({ landing: writeSmallLanding(), rebuildProcess: true, logger });
    // A `stedi build` by hand holding the lock: this very process, alive.
    const holder = { pid: process.pid, host: hostname(), pidStart: processStart(process.pid), owner: 'build by hand', since: new Date().toISOString(), token: 't' };
    writeFileSync(join(t.lake.lake, '_stedi', 'build.lock'), JSON.stringify(holder));
    const job = await failedJob(t);
    expect(job.error).toBe('another build is running on this lake (perhaps `stedi build`); try again when it has finished');
    // Carried on the job from the child's error, not read back from its message: the erasure tries again at once.
    expect(erasureStateOf(t.lake.services.rebuilds.list()[0])).toBe('REFUSED');
    const refused = logs.map((l) => JSON.parse(l)).filter((l) => /rebuild (refused|failed)/.test(l.msg));
    expect(refused).toEqual([expect.objectContaining({ level: 40, msg: 'rebuild refused: another build holds the lake; the previous version stays live' })]);
    expect(JSON.stringify(refused)).not.toContain('stack');
  });

  it('names lake paths relative to the lake (`<lake>/…`) in its error, while the server log keeps them whole', async () => {
    const { logger, lines: logs } = loggedLines();
    t = await buildTestApp({ landing: writeSmallLanding(), rebuildProcess: true, logger });
    // A file where the build keeps its records: the filesystem refuses the folder, and the message names it twice.
    const builds = join(t.lake.lake, '_stedi', 'builds');
    rmSync(builds, { recursive: true, force: true });
    writeFileSync(builds, '');
    const job = await failedJob(t);
    expect(job.state).toBe('FAILED');
    expect(job.error).toBe('the build failed; the previous version stays live: cannot make the folder <lake>/_stedi/builds: <lake>/_stedi/builds is a file, not a folder; move it away, or point --lake at a folder');
    const failed = logs.filter((l) => l.includes('rebuild failed'));
    expect(failed).toEqual([expect.stringContaining(`${builds} is a file, not a folder`)]);
    expect(failed[0]).not.toMatch(/stack/);
  });
});

describe('a rebuild whose build process dies without reporting', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t.close());

  // What buildInChildProcess rejects with when the child is killed (SIGKILL, the OOM killer) before it reports.
  const killed = (): Error => new RebuildProcessDiedError('SIGKILL', null);

  it('is SUCCEEDED with its version when the version was published before the process died', async () => {
    const { logger, lines: logs } = loggedLines();
    t = await buildTestApp({ landing: writeSmallLanding(), logger, wrapBuildRunner: (build) => async (...args) => {
      await build(...args);
      throw killed();
    } });
    const started = await t.graphql('mutation { rebuildZones { id } }', ADMIN_KEY);
    await t.lake.services.rebuilds.settled();
    const res = await t.graphql(`{ rebuildJob(id: "${started.body.data.rebuildZones.id}") { state error version completedSteps totalSteps steps { state } } lake { liveVersion } }`, ADMIN_KEY);
    expect(res.body.errors).toBeUndefined();
    const { rebuildJob: job, lake } = res.body.data;
    expect(job).toMatchObject({ state: 'SUCCEEDED', error: null, version: lake.liveVersion, completedSteps: job.totalSteps });
    expect(job.steps.every((s: { state: string }) => s.state === 'DONE')).toBe(true);
    expect(logs.map((l) => JSON.parse(l)).filter((l) => l.msg.includes('without reporting'))).toEqual([expect.objectContaining({ level: 40, version: lake.liveVersion })]);
  });

  it('is FAILED, the previous version live, when the process died before publishing', async () => {
    t = await buildTestApp({ landing: writeSmallLanding(), wrapBuildRunner: (build) => async (config, options, onProgress, onStaged) =>
      build(config, options, onProgress, async (version) => {
        await onStaged?.(version);
        throw killed();
      }) });
    const before = (await t.graphql('{ lake { liveVersion } }', ADMIN_KEY)).body.data.lake.liveVersion;
    const job = await failedJob(t);
    expect(job.state).toBe('FAILED');
    // Said in the job: the log holds no more than the signal (the OOM killer's SIGKILL, most often).
    expect(job.error).toMatch(/^the build failed; the previous version stays live: the rebuild process was killed \(SIGKILL\) before it finished: out of memory \(the kernel's OOM killer; dmesg says so\) or killed by hand; the next build removes what it left \(rebuild job [0-9a-f-]{36}\)$/);
    expect((await t.graphql('{ lake { liveVersion } }', ADMIN_KEY)).body.data.lake.liveVersion).toBe(before);
  });
});

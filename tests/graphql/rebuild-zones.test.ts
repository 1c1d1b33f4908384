import { ADMIN_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/** rebuildZones while a rebuild runs: the running job is returned only when it builds what was asked. */

describe('starting a rebuild while one runs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(6, 2).landing });
  });
  afterAll(() => t.close());

  const finished = async (id: string): Promise<string> => {
    for (;;) {
      const { state } = (await t.graphql(`{ rebuildJob(id: "${id}") { state } }`, ADMIN_KEY)).body.data.rebuildJob;
      if (state !== 'QUEUED' && state !== 'RUNNING') return state as string;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('refuses a rebuild asked for AS_OF while an ANY one runs as REBUILD_IN_PROGRESS, naming the running job, and starts no second one', async () => {
    // Mutation fields run one after another: the first has started its build (a child process) when the second asks.
    const res = await t.graphql('mutation { running: rebuildZones(consentPolicy: ANY) { id } other: rebuildZones(consentPolicy: AS_OF) { id } }', ADMIN_KEY);
    const jobs = (await t.graphql('{ rebuildJobs { id consentPolicy } }', ADMIN_KEY)).body.data.rebuildJobs;
    expect(jobs).toEqual([{ id: expect.any(String), consentPolicy: 'ANY' }]);
    // rebuildZones is non-null: the refused field takes the answer's data with it.
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: `a rebuild under consentPolicy ANY is running (job ${jobs[0].id}); ask for AS_OF again once rebuildJob says it has finished`,
        path: ['other'],
        // A conflict of the moment, not bad input: the client retries it once the running job ends.
        extensions: { code: 'REBUILD_IN_PROGRESS' },
      }),
    ]);
    expect(await finished(jobs[0].id)).toBe('SUCCEEDED');
    // Once it has finished, the same request starts the build it asks for.
    const asOf = await t.graphql('mutation { rebuildZones(consentPolicy: AS_OF) { id consentPolicy } }', ADMIN_KEY);
    expect(asOf.body.errors).toBeUndefined();
    expect(asOf.body.data.rebuildZones.consentPolicy).toBe('AS_OF');
    expect(await finished(asOf.body.data.rebuildZones.id)).toBe('SUCCEEDED');
  }, 120_000);

  it('returns the running job to a request for its policy or for none', async () => {
    const res = await t.graphql('mutation { running: rebuildZones(consentPolicy: AS_OF) { id } same: rebuildZones(consentPolicy: AS_OF) { id } unsaid: rebuildZones { id } }', ADMIN_KEY);
    expect(res.body.errors).toBeUndefined();
    const { running, same, unsaid } = res.body.data;
    expect([same.id, unsaid.id]).toEqual([running.id, running.id]);
    expect(await finished(running.id)).toBe('SUCCEEDED');
  }, 120_000);
});

describe('asking for a rebuild job that does not exist', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(2, 1).landing });
  });
  afterAll(() => t.close());

  it('answers NOT_FOUND (HTTP 200, data null) naming an unknown job id', async () => {
    const id = '0f8e2c1a-5b7d-4e3f-9a6b-1c2d3e4f5a6b';
    const res = await t.graphql('query($id: ID!) { rebuildJob(id: $id) { state } }', ADMIN_KEY, { id });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([expect.objectContaining({ message: `no rebuild job ${id}; only the last 20 jobs since the server started are kept`, extensions: { code: 'NOT_FOUND' } })]);
  });

  it('answers NOT_FOUND to an id that is no job id without echoing it (a megabyte of it came back in the answer)', async () => {
    const id = `<b>${'x'.repeat(500_000)}`;
    const res = await t.graphql('query($id: ID!) { rebuildJob(id: $id) { state } }', ADMIN_KEY, { id });
    expect(res.body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^no rebuild job has that id: a job id is a UUID/), extensions: { code: 'NOT_FOUND' } })]);
    expect(JSON.stringify(res.body)).not.toContain('xxxx');
    expect(JSON.stringify(res.body)).not.toContain('<b>');
  });
});

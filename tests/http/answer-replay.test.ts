import request from 'supertest';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { loggedLines } from '../helpers/log-lines';
import { serialOf, writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * The answers last given, made again on a rebuild's new version before the
 * rebuild reports success (issue 11: the first request after a rebuild is
 * what users see first): the same answer a fresh execution gives, for the
 * role that asked, never one that fails on the new version, and not counted
 * as a client's operation.
 */

const SMALL = 'query Small($serial: String!) { customer(serialNumber: $serial) { serialNumber stepTrainerReadings(first: 3) { edges { cursor node { sensorReadingTime } } } } }';
const PERSONAL = 'query Personal($serial: String!) { customer(serialNumber: $serial) { serialNumber email } }';
const PAGE = 'query Page($after: String) { customers(first: 2, after: $after) { edges { cursor node { serialNumber } } } }';

describe('recent answers made again on a new version', () => {
  let t: TestApp;
  let executed: jest.SpyInstance;
  const open = async (keepVersions = 3, logger?: ReturnType<typeof loggedLines>['logger']): Promise<void> => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(6, 3).landing, keepVersions, logger });
    // A kept answer is sent before Apollo (kept-answers.ts): the requests Apollo runs are those executed.
    executed = jest.spyOn(t.app.apollo, 'executeHTTPGraphQLRequest');
  };
  afterEach(() => t.close());

  /** One rebuild through the API, polled until it has ended; its job's final state. */
  const rebuild = async (): Promise<string> => {
    const started = await t.graphql('mutation { rebuildZones { id } }', ADMIN_KEY);
    const id = started.body.data.rebuildZones.id as string;
    for (;;) {
      const { state } = (await t.graphql(`{ rebuildJob(id: "${id}") { state } }`, ADMIN_KEY)).body.data.rebuildJob;
      if (state !== 'QUEUED' && state !== 'RUNNING') return state as string;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('answers the first request after a rebuild without executing it, with what a fresh execution answers on the new version', async () => {
    await open();
    const before = await t.graphql(SMALL, ANALYST_KEY, { serial: serialOf(1) });
    expect(before.body.errors).toBeUndefined();
    expect(await rebuild()).toBe('SUCCEEDED');
    executed.mockClear();
    const after = await t.graphql(SMALL, ANALYST_KEY, { serial: serialOf(1) });
    expect(executed).not.toHaveBeenCalled();
    // The same document under another name is not kept: executed now, on the new version, it gives the same data.
    const fresh = await t.graphql(SMALL.replace('query Small', 'query Fresh'), ANALYST_KEY, { serial: serialOf(1) });
    expect(executed).toHaveBeenCalledTimes(1);
    expect(after.body).toEqual(fresh.body);
    // Its cursors name the new version, not the one the answer was first given on.
    expect(after.body.data.customer.stepTrainerReadings.edges[0].cursor).not.toBe(before.body.data.customer.stepTrainerReadings.edges[0].cursor);
  });

  it('makes each answer for the role that asked it: an analyst is never given an answer made for an admin', async () => {
    await open();
    expect((await t.graphql(PERSONAL, ADMIN_KEY, { serial: serialOf(2) })).body.data.customer.email).toEqual(expect.any(String));
    expect(await rebuild()).toBe('SUCCEEDED');
    executed.mockClear();
    expect((await t.graphql(PERSONAL, ADMIN_KEY, { serial: serialOf(2) })).body.data.customer.email).toEqual(expect.any(String));
    expect(executed).not.toHaveBeenCalled();
    const analyst = await t.graphql(PERSONAL, ANALYST_KEY, { serial: serialOf(2) });
    expect(analyst.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(analyst.body.data.customer.email).toBeNull();
  });

  it('keeps no answer that fails on the new version: a page after a cursor of an expired version answers STALE_CURSOR', async () => {
    await open(1);
    const first = await t.graphql(PAGE, ANALYST_KEY);
    const after = first.body.data.customers.edges[1].cursor as string;
    expect((await t.graphql(PAGE, ANALYST_KEY, { after })).body.errors).toBeUndefined();
    expect(await rebuild()).toBe('SUCCEEDED');
    const stale = await t.graphql(PAGE, ANALYST_KEY, { after });
    expect(stale.body.errors[0].extensions.code).toBe('STALE_CURSOR');
  });

  it('makes them as no client\'s request: one failing on the new version is not logged under the request that asked for the rebuild', async () => {
    const { logger, lines } = loggedLines();
    await open(1, logger);
    const first = await t.graphql(PAGE, ANALYST_KEY);
    const after = first.body.data.customers.edges[1].cursor as string;
    expect((await t.graphql(PAGE, ANALYST_KEY, { after })).body.errors).toBeUndefined();
    expect(await rebuild()).toBe('SUCCEEDED');
    const logged = lines.map((line) => JSON.parse(line) as { msg?: string; requestId?: string; kept?: number; offered?: number });
    // The page after the expired version's cursor answered STALE_CURSOR when made again, and was not kept.
    expect(logged.find((l) => l.msg === 'recent answers made again on the new version')).toMatchObject({ offered: 2, kept: 1 });
    const asked = logged.find((l) => l.msg === 'rebuildZones requested')?.requestId;
    expect(asked).toEqual(expect.any(String));
    expect(logged.filter((l) => l.requestId === asked).map((l) => l.msg).sort()).toEqual(['rebuildZones requested', 'request']);
  });

  it('counts only what clients asked in /metrics', async () => {
    await open();
    await t.graphql(SMALL, ANALYST_KEY, { serial: serialOf(3) });
    expect(await rebuild()).toBe('SUCCEEDED');
    await t.graphql(SMALL, ANALYST_KEY, { serial: serialOf(3) });
    const metrics = await request(t.server).get('/metrics');
    expect(metrics.text).toMatch(/stedi_graphql_operations_total\{operation="Small",type="query",outcome="ok"\} 2\n/);
  });

  it('stops a replay still running when a later rebuild starts its own: only the latest version\'s answers are made', async () => {
    await open();
    const replay = t.lake.services.answers!;
    const asks = [1, 2, 3].map((n) => ({ role: 'analyst', asked: { query: SMALL, operationName: 'Small', variables: { serial: serialOf(n) } } }));
    const earlier = replay.replay(asks);
    const later = replay.replay(asks);
    // The earlier one made the answer it had begun, then stopped; the later one found it kept and made the rest.
    expect(await earlier).toBe(1);
    expect(await later).toBe(3);
  });

  it('stops a replay still running when the server stops (it went on past the rebuild that waited for it, onto the closed engine), and makes none after', async () => {
    await open();
    const replay = t.lake.services.answers!;
    const asks = [1, 2, 3].map((n) => ({ role: 'analyst', asked: { query: SMALL, operationName: 'Small', variables: { serial: serialOf(n) } } }));
    const running = replay.replay(asks);
    const operations = jest.spyOn(t.app.apollo, 'executeOperation');
    await t.app.stop();
    // The answer it had begun is made; none after it, and none by a later rebuild's replay.
    expect(await running).toBeLessThanOrEqual(1);
    const made = operations.mock.calls.length;
    expect(await replay.replay(asks)).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(operations.mock.calls.length).toBe(made);
    expect(made).toBeLessThanOrEqual(1);
  });
});


import request from 'supertest';
import type { Engine } from '../../etl/engine/engine';
import { ApiKeys } from '../../src/auth/api-keys';
import { currentRequest } from '../../src/http/request-context';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';

/**
 * Requests for data one API key may have in flight (STEDI_KEY_CONCURRENCY): the rest wait in a bounded queue, then
 * get 429 RATE_LIMITED, while other keys are served. Deterministic: the engine holds every read of the held key's
 * requests until the test lets them go, so no assertion depends on timing.
 */

const OTHER_ANALYST_KEY = 'test-analyst-key-two-0123456789abcdef';

/** An engine whose reads, for requests made with `held` keys, wait until `release()`. */
function holdingEngine() {
  const held = new Set<string>();
  let gate: Promise<void> = Promise.resolve();
  let open = (): void => undefined;
  const hold = (keyId: string): void => {
    held.add(keyId);
    gate = new Promise((resolve) => (open = resolve));
  };
  const release = (): void => {
    held.clear();
    open();
  };
  const wrap = (engine: Engine): Engine =>
    new Proxy(engine, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== 'function') return value;
        if (property !== 'query' && property !== 'queryColumns' && property !== 'exportToFile') return value.bind(target);
        return async (...args: unknown[]) => {
          const keyId = currentRequest()?.principal?.keyId;
          if (keyId !== undefined && held.has(keyId)) await gate;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return { wrap, hold, release };
}

// A new split seed each time: no answer or count is kept between requests, so each reads the engine.
let seed = 0;
const SLOW = (): string => `{ machineLearningSamples(first: 2, split: TRAIN, splitSeed: "s${(seed += 1)}") { edges { node { serialNumber } } } }`;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('a limit on each API key’s requests for data in flight', () => {
  const engine = holdingEngine();
  let t: TestApp;
  const keys = new ApiKeys([
    { key: ADMIN_KEY, role: 'admin' },
    { key: ANALYST_KEY, role: 'analyst' },
    { key: OTHER_ANALYST_KEY, role: 'analyst' },
  ]);
  const analyst = keys.authenticate(ANALYST_KEY)!.keyId;
  const admin = keys.authenticate(ADMIN_KEY)!.keyId;

  afterEach(() => engine.release());
  afterAll(() => t.close());

  it('refuses a key’s requests beyond its running and waiting ones with 429 RATE_LIMITED and Retry-After, while another key of the same role is served', async () => {
    t = await buildTestApp({ landing: writeSmallLanding(), apiKeys: keys, wrapEngine: engine.wrap, config: { keyConcurrency: 2, keyQueue: 2, keyQueueMs: 60_000 } });
    // The version's first read prepares what every request then shares: made before any key is held.
    expect((await t.graphql(SLOW(), ANALYST_KEY)).status).toBe(200);
    engine.hold(analyst);
    const slow = Array.from({ length: 4 }, () => t.graphql(SLOW(), ANALYST_KEY).then((r) => r));
    await until(() => t.app.keyLimit.inFlight(analyst).waiting === 2);
    expect(t.app.keyLimit.inFlight(analyst)).toEqual({ running: 2, waiting: 2 });

    const refused = await t.graphql(SLOW(), ANALYST_KEY);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.body.errors).toEqual([{ message: expect.stringMatching(/2 requests for data running and 2 waiting.*STEDI_KEY_CONCURRENCY/), extensions: { code: 'RATE_LIMITED' } }]);
    // One limit for GraphQL and exports together.
    const exported = await request(t.server).get('/export/machine_learning_curated?format=csv').set('authorization', `Bearer ${ANALYST_KEY}`);
    expect(exported.status).toBe(429);
    expect(exported.headers['retry-after']).toBe('60');
    expect(exported.headers['cache-control']).toBe('no-store');
    expect(exported.body.errors[0].extensions.code).toBe('RATE_LIMITED');

    const other = await t.graphql(SLOW(), OTHER_ANALYST_KEY);
    expect(other.status).toBe(200);
    expect(other.body.data.machineLearningSamples.edges.length).toBeGreaterThan(0);
    // Introspection reads no data: not counted.
    expect((await t.graphql('{ __typename }', ANALYST_KEY)).status).toBe(200);

    engine.release();
    const answered = await Promise.all(slow);
    expect(answered.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(answered.every((r) => r.body.errors === undefined)).toBe(true);
    expect(t.app.keyLimit.inFlight(analyst)).toEqual({ running: 0, waiting: 0 });
    expect((await t.graphql(SLOW(), ANALYST_KEY)).status).toBe(200);

    const metrics = await request(t.server).get('/metrics');
    expect(metrics.text).toMatch(/stedi_key_concurrency_refusals_total\{route="graphql",reason="queue_full"\} 1\b/);
    expect(metrics.text).toMatch(/stedi_key_concurrency_refusals_total\{route="export",reason="queue_full"\} 1\b/);
  });

  it('refuses a waiting request once the wait runs out, and leaves the rebuild mutation, health and metrics alone', async () => {
    await t.close();
    t = await buildTestApp({ landing: writeSmallLanding(), apiKeys: keys, wrapEngine: engine.wrap, config: { keyConcurrency: 1, keyQueue: 1, keyQueueMs: 1 } });
    expect((await t.graphql(SLOW(), ADMIN_KEY)).status).toBe(200);
    engine.hold(admin);
    const running = t.graphql(SLOW(), ADMIN_KEY).then((r) => r);
    await until(() => t.app.keyLimit.inFlight(admin).running === 1);

    const waited = await t.graphql(SLOW(), ADMIN_KEY);
    expect(waited.status).toBe(429);
    expect(waited.headers['retry-after']).toBe('1');
    expect(waited.body.errors).toEqual([{ message: expect.stringMatching(/waited 1 ms/), extensions: { code: 'RATE_LIMITED' } }]);

    const rebuild = await t.graphql('mutation { rebuildZones { id } }', ADMIN_KEY);
    expect(rebuild.status).toBe(200);
    expect(rebuild.body.data.rebuildZones.id).toEqual(expect.any(String));
    expect((await request(t.server).get('/healthz')).status).toBe(200);
    expect((await request(t.server).get('/metrics')).text).toMatch(/stedi_key_concurrency_refusals_total\{route="graphql",reason="waited"\} 1\b/);

    engine.release();
    expect((await running).status).toBe(200);
    const id = rebuild.body.data.rebuildZones.id as string;
    for (;;) {
      const { state } = (await t.graphql(`{ rebuildJob(id: "${id}") { state } }`, ADMIN_KEY)).body.data.rebuildJob;
      if (state !== 'QUEUED' && state !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});

// One key's flood past its limit: one access line, then a count (repeated-lines.ts), as for 401s.
describe('log lines of requests refused 429', () => {
  const engine = holdingEngine();
  const { logger, lines } = loggedLines('info');
  type Line = { msg: string; status?: number; keyId?: string; requests?: number };
  const keys = new ApiKeys([{ key: ANALYST_KEY, role: 'analyst' }]);
  const analyst = keys.authenticate(ANALYST_KEY)!.keyId;

  it('logs the first refusal of a key whole and the rest as one line with their count', async () => {
    const t = await buildTestApp({ landing: writeSmallLanding(), apiKeys: keys, wrapEngine: engine.wrap, logger, config: { keyConcurrency: 1, keyQueue: 1, keyQueueMs: 60_000 } });
    try {
      expect((await t.graphql(SLOW(), ANALYST_KEY)).status).toBe(200);
      engine.hold(analyst);
      const held = Array.from({ length: 2 }, () => t.graphql(SLOW(), ANALYST_KEY).then((r) => r));
      await until(() => t.app.keyLimit.inFlight(analyst).waiting === 1);
      const refused: number[] = [];
      for (let i = 0; i < 5; i += 1) refused.push((await t.graphql(SLOW(), ANALYST_KEY)).status);
      expect(refused).toEqual([429, 429, 429, 429, 429]);
      engine.release();
      expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    } finally {
      engine.release();
      await t.close();
    }
    const entries = lines.map((line) => JSON.parse(line) as Line);
    expect(entries.filter((e) => e.msg === 'request' && e.status === 429)).toHaveLength(1);
    const summaries = entries.filter((e) => e.status === 429 && e.msg !== 'request');
    expect(summaries.map((e) => [e.keyId, e.requests, e.msg])).toEqual([[analyst, 4, `4 more requests of key ${analyst} refused 429 (RATE_LIMITED), not logged one by one`]]);
  });
});

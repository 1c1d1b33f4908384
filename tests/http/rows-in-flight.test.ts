import events from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import request from 'supertest';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { allConnectionsClosed, rawPost, sendAtOnce, sendPipelined } from '../helpers/requests-at-once';
import { type HeldReads, holdingEngine } from '../helpers/turn-race';

/**
 * The rows every key's GraphQL requests are being answered at once are bounded per server process
 * (STEDI_ROWS_IN_FLIGHT, rows-in-flight.ts): a request that would pass it is refused with 503 ENGINE_BUSY and
 * Retry-After as JSON, nothing run, whichever key sent it. Deterministic: the first request's engine reads are held.
 */

const customers = (first: number): string => `{ customers(first: ${first}) { edges { node { serialNumber } } } }`;

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('a bound on the rows answered at once in a server process', () => {
  const held: HeldReads = { on: false, reads: [] };
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding(), wrapEngine: (inner) => holdingEngine(inner, held, 'query'), config: { limits: { maxRowsInFlight: 1_500 } } });
  });
  afterAll(() => t.close());

  it('refuses another key’s request whose rows do not fit with 503 ENGINE_BUSY and Retry-After, and serves it once the first answer has left', async () => {
    // The version's first read prepares what every request then shares: made before any read is held.
    expect((await t.graphql(customers(2), ADMIN_KEY)).status).toBe(200);
    await until(() => t.app.rowsInFlight.inFlight === 0);
    held.on = true;
    const first = t.graphql(customers(300), ANALYST_KEY).then((r) => r);
    await until(() => held.reads.length > 0);
    // The rows its cost estimate counts (a page of 300 and what each row may hold): over half the bound.
    const rows = t.app.rowsInFlight.inFlight;
    expect(rows).toBeGreaterThan(750);
    expect(rows).toBeLessThanOrEqual(1_500);

    const refused = await t.graphql(customers(300), ADMIN_KEY);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['content-type']).toMatch(/json/);
    expect(refused.body.errors).toEqual([{ message: expect.stringMatching(new RegExp(`answering ${rows} rows .* up to ${rows} more, above its bound of 1,500 \\(STEDI_ROWS_IN_FLIGHT\\): retry after 1 s`)), extensions: { code: 'ENGINE_BUSY' } }]);
    expect(refused.body.data).toBeUndefined();

    held.on = false;
    held.reads.splice(0).forEach((release) => release());
    expect((await first).status).toBe(200);
    await until(() => t.app.rowsInFlight.inFlight === 0);
    const retried = await t.graphql(customers(300), ADMIN_KEY);
    expect(retried.status).toBe(200);
    expect(retried.body.data.customers.edges.length).toBeGreaterThan(0);
    expect((await request(t.server).get('/metrics')).text).toMatch(/stedi_rows_in_flight_refusals_total 1\b/);
  });

  it('runs a request alone whatever its rows, and counts nothing for introspection or a refused document', async () => {
    await t.close();
    t = await buildTestApp({ landing: writeSmallLanding(), config: { limits: { maxRowsInFlight: 10 } } });
    expect((await t.graphql(customers(300), ANALYST_KEY)).status).toBe(200);
    expect((await t.graphql('{ __schema { queryType { name } } }', ANALYST_KEY)).status).toBe(200);
    expect((await t.graphql('{ nothingHere }', ANALYST_KEY)).status).toBe(400);
    await until(() => t.app.rowsInFlight.inFlight === 0);
  });
});

describe('rows given back as each answer closes', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Four run at once per key, the rest wait for turns and places: the bound itself never refuses here.
    t = await buildTestApp({ landing: writeSmallLanding(), config: { keyConcurrency: 4, keyQueue: 200, keyQueueMs: 60_000, limits: { maxRowsInFlight: 10_000_000 } } });
  });
  afterAll(() => t.close());

  it('holds no rows once many requests of one key sent at once are answered, failed, kept or abandoned (stedi_rows_in_flight 0)', async () => {
    const kept = customers(3);
    // Raw connections alone, each closed after its answer (a client's kept-alive one would hold the server's count).
    expect((await sendAtOnce(t.server, [rawPost(ADMIN_KEY, kept)]))[0]!.status).toBe(200);
    const requests = [
      // Another key's first: the turn is shared, and the admin key's requests wait for theirs (key-turns.ts).
      rawPost(ANALYST_KEY, '{ __typename }'),
      ...Array.from({ length: 12 }, (_, i) => rawPost(ADMIN_KEY, customers(i + 4))),
      ...Array.from({ length: 6 }, (_, i) => rawPost(ADMIN_KEY, `{ customers(first: ${i + 1}, after: "not-a-cursor-${i}") { edges { node { serialNumber } } } }`)),
      ...Array.from({ length: 6 }, () => rawPost(ADMIN_KEY, kept)),
      ...Array.from({ length: 4 }, (_, i) => rawPost(ADMIN_KEY, `{ machineLearningBatch(first: ${i + 2}) { rowCount columns { distanceFromObject } } }`)),
      ...Array.from({ length: 4 }, (_, i) => rawPost(ADMIN_KEY, `{ nothing${i} }`)),
      ...Array.from({ length: 8 }, (_, i) => rawPost(ADMIN_KEY, customers(i + 40))),
    ];
    const gone = new Set(requests.map((_, i) => i).slice(-8));
    // The most `close` listeners one response held: Node warns past 10 (MaxListenersExceededWarning).
    let mostListeners = 0;
    const watch = (_req: IncomingMessage, res: ServerResponse): void =>
      void res.on('newListener', (event) => (mostListeners = Math.max(mostListeners, event === 'close' ? res.listenerCount('close') + 1 : 0)));
    t.server.prependListener('request', watch);
    for (let round = 0; round < 3; round += 1) {
      const answers = await sendAtOnce(t.server, requests, gone);
      const statuses = answers.map((a) => a.status);
      expect(statuses.slice(0, 13).every((s) => s === 200)).toBe(true);
      expect(answers.slice(13, 19).every((a) => a.status !== 200 || JSON.parse(a.body).errors?.length > 0)).toBe(true);
      expect(statuses.slice(19, 29).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(29, 33)).toEqual([400, 400, 400, 400]);
    }
    // Pipelined on one connection too: each answer's listeners are its own, none gathers them (MaxListenersExceededWarning).
    const pipelined = await sendPipelined(t.server, Array.from({ length: 16 }, (_, i) => rawPost(ADMIN_KEY, customers(i + 60))));
    expect(pipelined).toEqual(Array.from({ length: 16 }, () => 200));
    await allConnectionsClosed(t.server);
    t.server.off('request', watch);
    expect(mostListeners).toBeGreaterThan(0);
    expect(mostListeners).toBeLessThanOrEqual(events.defaultMaxListeners);
    expect((await request(t.server).get('/metrics')).text).toMatch(/^stedi_rows_in_flight 0$/m);
    expect(t.app.rowsInFlight.inFlight).toBe(0);
  });
});

import request from 'supertest';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
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

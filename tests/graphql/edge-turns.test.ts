import { buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { type HeldReads, holdingEngine, raceSmallQuery } from '../helpers/turn-race';

/**
 * A request's edges are completed a stretch at a time (src/graphql/edge-turns.ts): once a large request's reads
 * return, its nested pages or its many smaller pages are completed over several event-loop turns, so another
 * client's request is answered in between instead of after the whole answer.
 */

const CUSTOMERS = 130; // 104 consenting (every fifth does not consent)
const READINGS = 300;
// 104 customers with their 300 accelerometer readings each (160 + 160 × 300 asked: within the request row bound), none a bulk page.
const NESTED = `{ customers(first: 160) { edges { node { serialNumber accelerometerReadings(first: ${READINGS}) { edges { node { timestamp x y z } } } } } } }`;
// Fifteen pages under the bulk size (read as rows, not columns), each a different read.
const ALIASED = `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: accelerometerReadings(first: 1999, filter: { from: ${100_000_000_000 + i} }) { edges { node { serialNumber timestamp x y z } } }`).join(' ')} }`;

describe('edges completed in stretches', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  // The accelerometer reads are held, then handed over in one synchronous step.
  const held: HeldReads = { on: false, reads: [] };
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(CUSTOMERS, READINGS).landing, wrapEngine: (inner) => holdingEngine(inner, held, 'query', /accelerometer/i) });
  });
  afterAll(() => t.close());

  const race = (heavyQuery: string, reads: number) => raceSmallQuery(t.server, held, heavyQuery, reads);

  it("answers another client's small query while the nested pages of 104 customers are completed", async () => {
    const { order, heavyAnswer } = await race(NESTED, 1);
    const answer = JSON.parse(heavyAnswer.slice(heavyAnswer.indexOf('\r\n\r\n') + 4)) as { data: { customers: { edges: Array<{ node: { serialNumber: string; accelerometerReadings: { edges: Array<{ node: { timestamp: number } }> } } }> } } };
    const customers = answer.data.customers.edges;
    expect(customers).toHaveLength(104);
    // Every customer's page whole and in order, whichever turn completed it.
    for (const { node } of customers) {
      const times = node.accelerometerReadings.edges.map((e) => e.node.timestamp);
      expect(times).toHaveLength(READINGS);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(customers.map((c) => c.node.serialNumber)).toEqual(customers.map((c) => c.node.serialNumber).sort());
    expect(order).toEqual(['small', 'heavy']);
  });

  it("answers another client's small query between fifteen pages read at once", async () => {
    const { order, heavyAnswer } = await race(ALIASED, 15);
    expect((heavyAnswer.match(/"serialNumber"/g) ?? []).length).toBe(15 * 1999);
    expect(order).toEqual(['small', 'heavy']);
  });
});

import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Engine } from '../../etl/engine/engine';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

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
const ALIASED = `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: accelerometerReadings(first: 1999, filter: { from: ${i} }) { edges { node { serialNumber timestamp x y z } } }`).join(' ')} }`;

describe('edges completed in stretches', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  // While `on`, each accelerometer read's result is held, then all are handed over in one synchronous step.
  const held = { on: false, reads: [] as Array<() => void> };
  const wrapEngine = (inner: Engine): Engine => {
    const engine = Object.create(inner) as Engine;
    engine.query = async (sql, params, options) => {
      const holding = held.on && /accelerometer/i.test(sql);
      const result = await inner.query(sql, params, options);
      if (holding) await new Promise<void>((resolve) => held.reads.push(resolve));
      return result;
    };
    return engine;
  };
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(CUSTOMERS, READINGS).landing, wrapEngine });
  });
  afterAll(() => t.close());

  async function socket(): Promise<Socket> {
    const s = connect((t.server.address() as AddressInfo).port, '127.0.0.1');
    s.on('error', () => undefined);
    await new Promise((resolve) => s.once('connect', resolve));
    return s;
  }
  const post = (query: string, key: string): string => {
    const body = JSON.stringify({ query });
    return `POST /graphql HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };

  /** Sends `heavy`, holds its reads until `reads` are held, sends a small query, releases them at once: which answer starts first. */
  async function race(heavyQuery: string, reads: number): Promise<{ order: string[]; heavyAnswer: string; smallAnswer: string }> {
    const heavy = await socket();
    const small = await socket();
    const order: string[] = [];
    const ended = (s: Socket, name: string): Promise<string> => {
      const chunks: Buffer[] = [];
      s.on('data', (chunk: Buffer) => void (chunks.length === 0 && order.push(name), chunks.push(chunk)));
      return new Promise((resolve) => s.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))));
    };
    const heavyText = ended(heavy, 'heavy');
    const smallText = ended(small, 'small');
    held.on = true;
    heavy.write(post(heavyQuery, ANALYST_KEY));
    while (held.reads.length < reads) await new Promise((resolve) => setTimeout(resolve, 10));
    held.on = false;
    // The small query arrives as the reads return: completed in one stretch, the heavy answer was written before the server read it.
    small.write(post('{ __typename }', ADMIN_KEY));
    for (const release of held.reads.splice(0)) release();
    const [heavyAnswer, smallAnswer] = await Promise.all([heavyText, smallText]);
    expect(smallAnswer).toMatch(/^HTTP\/1\.1 200[\s\S]*"__typename":"Query"/);
    expect(heavyAnswer).toMatch(/^HTTP\/1\.1 200/);
    expect(heavyAnswer).not.toMatch(/"errors"/);
    return { order, heavyAnswer, smallAnswer };
  }

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

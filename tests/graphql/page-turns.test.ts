import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Engine } from '../../etl/engine/engine';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * Bulk pages take turns on the event loop (src/graphql/page-turns.ts): pages whose reads return together are
 * completed one a loop turn, so another client's request is answered between two of them instead of after all.
 */

const PAGES = 11;
// Distinct seeds: eleven different reads of about 8,000 rows each (the training split of 104 consenting customers).
const page = (i: number): string => `p${i}: machineLearningSamples(first: 10000, split: TRAIN, splitSeed: "s${i}") { edges { node { serialNumber sensorReadingTime sensorReadingTimeIso distanceFromObject x y z } } }`;
const HEAVY = `{ ${Array.from({ length: PAGES }, (_, i) => page(i)).join(' ')} }`;
const batch = (i: number): string => `p${i}: machineLearningBatch(first: 10000, split: TRAIN, splitSeed: "s${i}") { rowCount columns { serialNumber sensorReadingTime distanceFromObject x y z } }`;
const BATCHES = `{ ${Array.from({ length: PAGES }, (_, i) => batch(i)).join(' ')} }`;

describe('bulk pages taking turns', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  // Bulk pages are read as columns: while `on`, each read's result is held, then all are handed over in one synchronous step.
  const held = { on: false, reads: [] as Array<() => void> };
  const wrapEngine = (inner: Engine): Engine => {
    const engine = Object.create(inner) as Engine;
    engine.queryColumns = async (sql, params, options) => {
      const holding = held.on;
      const result = await inner.queryColumns!(sql, params, options);
      if (holding) await new Promise<void>((resolve) => held.reads.push(resolve));
      return result;
    };
    return engine;
  };
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(130, 100).landing, wrapEngine, config: { limits: { maxRequestRows: PAGES * 10_000 } } });
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

  it('answers another client\'s small query between the pages of a request whose eleven pages were read at once', async () => {
    expect(await race(HEAVY)).toEqual(['small', 'heavy']);
  });

  it('answers another client\'s small query between eleven machineLearningBatch pages read at once', async () => {
    expect(await race(BATCHES)).toEqual(['small', 'heavy']);
  });

  /** Sends `heavyQuery`, holds its pages' reads, sends a small query, releases the reads at once: which answer starts first. */
  async function race(heavyQuery: string): Promise<string[]> {
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
    while (held.reads.length < PAGES) await new Promise((resolve) => setTimeout(resolve, 10));
    held.on = false;
    // The small query arrives as the pages' reads return: without turns, every page was completed (and the heavy
    // answer written) before the server read it.
    small.write(post('{ __typename }', ADMIN_KEY));
    for (const release of held.reads.splice(0)) release();
    const [heavyAnswer, smallAnswer] = await Promise.all([heavyText, smallText]);
    expect(heavyAnswer).toMatch(/^HTTP\/1\.1 200/);
    expect(heavyAnswer).not.toMatch(/"errors"/);
    // Every page answered whole: eleven of about 8,000 rows, as edges or as columns.
    expect((heavyAnswer.match(/"serialNumber"|"serial-/g) ?? []).length).toBeGreaterThan(PAGES * 5_000);
    expect(smallAnswer).toMatch(/^HTTP\/1\.1 200[\s\S]*"__typename":"Query"/);
    return order;
  }
});

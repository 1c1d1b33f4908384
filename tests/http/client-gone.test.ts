import { connect, type Socket } from 'node:net';
import type { Engine } from '../../etl/engine/engine';
import { loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { startServer, type RunningServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { buildLake } from '../helpers/etl-lake';
import { ANALYST_KEY, testApiKeys } from '../helpers/http-app';
import { makeTempDir } from '../helpers/landing-fixture';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * A request's work stops once its client has closed its connection (src/http/client-gone.ts): the server keeps a
 * half-closed connection open, so a client that closed entirely was seen only as its answer was written, after all
 * of it was built (a script looping over heavy queries and closing each held a worker for tens of seconds).
 */

// Each customer's readings are a second engine query, run only once the customers' page has been read.
const NESTED = '{ customers(first: 50) { edges { node { serialNumber stepTrainerReadings(first: 5) { edges { node { sensorReadingTime } } } } } } }';

const post = (query: string): string => {
  const body = JSON.stringify({ query });
  return `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ANALYST_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

/** Sends `request` and closes the connection at once, as a client that gave up does (close(), not a reset). */
async function sendAndClose(port: number, request: string): Promise<void> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  await new Promise<void>((resolve) => socket.write(request, () => resolve()));
  socket.destroy();
}

/** Waits until `done` holds, for at most 10 s (then the assertions after it say what did not happen). */
async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let waited = 0; waited < 10_000 && !(await done()); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('work for a client that has gone', () => {
  jest.setTimeout(60_000);
  let running: RunningServer;
  // Engine queries in order; while `holding`, each waits for its release.
  const queries: string[] = [];
  let holding = false;
  const held: Array<() => void> = [];

  beforeAll(async () => {
    const { landing } = writeManyCustomersLanding(60, 5);
    const lake = makeTempDir('stedi-client-gone-lake-');
    await buildLake(landing, lake);
    const config = loadConfig({ lake, landing, host: '127.0.0.1', port: 0, logLevel: 'silent', keyConcurrency: 1, keyQueue: 4 }, {});
    const opened = await openConfiguredEngine(config);
    const engine: Engine = new Proxy(opened, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property === 'query' || property === 'heldPage') {
          return async (...args: unknown[]) => {
            queries.push(String(property === 'query' ? args[0] : 'heldPage'));
            if (holding) await new Promise<void>((resolve) => held.push(resolve));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    running = await startServer({ config, engine, apiKeys: testApiKeys(), logger: createLogger('silent'), graceMs: 1_000 });
  });
  afterAll(() => running.shutdown());

  const connections = (): Promise<number> => new Promise((resolve, reject) => running.server.getConnections((error, n) => (error ? reject(error) : resolve(n))));
  const analyst = testApiKeys().authenticate(ANALYST_KEY)!.keyId;
  const keyInFlight = () => running.app.keyLimit.inFlight(analyst);

  it('runs no further engine query for a request whose client closed its connection while its first read ran', async () => {
    queries.length = 0;
    holding = true;
    await sendAndClose(running.port, post(NESTED));
    await until(() => held.length === 1);
    holding = false;
    // The server sees the connection go (its side closes) while the customers' page is still being read.
    await until(async () => (await connections()) === 0);
    expect(await connections()).toBe(0);
    const asked = queries.length;
    for (const release of held.splice(0)) release();
    await until(() => keyInFlight().running === 0);
    expect(keyInFlight().running).toBe(0);
    // The customers' page alone: the readings under it, the next query, were never asked for.
    expect(asked).toBe(1);
    expect(queries).toHaveLength(1);
  });

  it('takes a waiting request whose client left out of its key queue at once, before the request ahead of it ends', async () => {
    holding = true;
    queries.length = 0;
    const first: Socket = connect(running.port, '127.0.0.1');
    first.on('error', () => undefined);
    let firstAnswer = '';
    first.on('data', (chunk: Buffer) => (firstAnswer += chunk.toString('utf8')));
    const firstClosed = new Promise((resolve) => first.once('close', resolve));
    first.write(post(NESTED).replace('Host: x', 'Host: x\r\nConnection: close'));
    await until(() => held.length === 1);
    // The second request of the same key waits for the first (STEDI_KEY_CONCURRENCY 1), then its client goes.
    await sendAndClose(running.port, post('{ customers(first: 3) { edges { node { serialNumber } } } }'));
    await until(() => keyInFlight().waiting === 1);
    await until(() => keyInFlight().waiting === 0);
    // Left the queue while the first still runs: it never takes a place or reads anything.
    expect(keyInFlight()).toEqual({ running: 1, waiting: 0 });
    holding = false;
    for (const release of held.splice(0)) release();
    await firstClosed;
    expect(firstAnswer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(firstAnswer).not.toMatch(/"errors"/);
    await until(() => keyInFlight().running === 0);
    expect(keyInFlight()).toEqual({ running: 0, waiting: 0 });
  });
});

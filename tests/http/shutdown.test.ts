import type { Engine } from '../../etl/engine/engine';
import { loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { createLogger } from '../../src/logger';
import { startServer, type RunningServer } from '../../src/http/server';
import { onTerminationSignals } from '../../src/http/shutdown';
import { buildLake } from '../helpers/etl-lake';
import { ANALYST_KEY, testApiKeys } from '../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/** Graceful shutdown: stop accepting, finish what is in flight, then close services and the engine. */

describe('graceful shutdown', () => {
  let running: RunningServer;
  let releaseQuery: () => void = () => undefined;
  let queryHeld: Promise<void>;
  let engineClosed = false;

  beforeAll(async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-shutdown-lake-');
    await buildLake(landing, lake);
    const config = loadConfig({ lake, landing, host: '127.0.0.1', port: 0, logLevel: 'silent' }, {});
    const opened = await openConfiguredEngine(config);
    let hold = false;
    let held: () => void = () => undefined;
    queryHeld = new Promise((resolve) => (held = resolve));
    // Queries wait for the test's go once `hold` is set, so a request is surely in flight at shutdown.
    const engine: Engine = new Proxy(opened, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property === 'query') {
          return async (...args: Parameters<Engine['query']>) => {
            if (hold && args[0].includes('customer')) {
              held();
              await new Promise<void>((resolve) => (releaseQuery = resolve));
            }
            return target.query(...args);
          };
        }
        if (property === 'close') return async () => ((engineClosed = true), target.close());
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    running = await startServer({ config, engine, apiKeys: testApiKeys(), logger: createLogger('silent'), graceMs: 5_000 });
    hold = true;
  });

  it('listens on a loopback address', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lets an in-flight request finish, refuses new connections, then closes the engine', async () => {
    const inFlight = fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` },
      body: JSON.stringify({ query: '{ customers(first: 5) { edges { node { serialNumber } } } }' }),
    });
    await queryHeld;
    const stopped = running.shutdown();
    expect(running.app.isDraining()).toBe(true);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    expect(engineClosed).toBe(false);

    releaseQuery();
    const res = await inFlight;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { customers: { edges: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data.customers.edges).toHaveLength(2);

    // Well within the 5 s grace: the connection closes as soon as its response is done, not when the grace runs out.
    // The bound's timer is cleared once the race is decided: left running, it held Jest's worker past its 500 ms to exit.
    let bound: NodeJS.Timeout | undefined;
    const closedWithin = await Promise.race([stopped.then(() => 'closed'), new Promise((resolve) => (bound = setTimeout(() => resolve('still open'), 2_000)))]);
    clearTimeout(bound);
    expect(closedWithin).toBe('closed');
    expect(engineClosed).toBe(true);
    expect(running.server.listening).toBe(false);
  });

  it('runs the shutdown once on SIGTERM and leaves the handlers removable', async () => {
    const shutdown = jest.fn(async () => undefined);
    const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
    const remove = onTerminationSignals(shutdown, createLogger('silent'));
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM.length + 1);
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT.length + 1);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      await new Promise((resolve) => setImmediate(resolve));
      expect(shutdown).toHaveBeenCalledTimes(1);
      expect(shutdown).toHaveBeenCalledWith('SIGTERM');
    } finally {
      remove();
    }
    expect({ SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') }).toEqual(before);
  });
});

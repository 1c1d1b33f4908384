import { get } from 'node:http';
import { connect } from 'node:net';
import type { Engine } from '../../etl/engine/engine';
import { loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { createLogger } from '../../src/logger';
import { startServer, type RunningServer } from '../../src/http/server';
import { onTerminationSignals } from '../../src/http/shutdown';
import { buildLake } from '../helpers/etl-lake';
import { ADMIN_KEY, ANALYST_KEY, testApiKeys } from '../helpers/http-app';
import { bodySentLater } from '../helpers/body-sent-later';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { loggedLines } from '../helpers/log-lines';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

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
    // An admin's rebuild whose request is in before the shutdown, its body (the mutation) after: refused, no build started.
    const rebuildAsked = await bodySentLater(running.url, '/graphql', ADMIN_KEY, { query: 'mutation { rebuildZones { id } }' });
    const stopped = running.shutdown();
    expect(running.app.isDraining()).toBe(true);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    expect(engineClosed).toBe(false);
    const refused = await rebuildAsked.send();
    expect(refused.body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/shutting down: no rebuild starts now/), extensions: expect.objectContaining({ code: 'ENGINE_BUSY' }) })]);
    expect(running.services.rebuilds.list()).toEqual([]);

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

describe('graceful shutdown past its grace', () => {
  it('says in a warning that it cuts the connections still busy when the grace runs out, then closes', async () => {
    // A cut export's only trace was 'export cancelled: the client went away', logged after 'shut down cleanly'.
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-shutdown-grace-');
    await buildLake(landing, lake);
    const config = loadConfig({ lake, landing, host: '127.0.0.1', port: 0, logLevel: 'info' }, {});
    const { logger, lines } = loggedLines();
    const server = await startServer({ config, engine: await openConfiguredEngine(config), apiKeys: testApiKeys(), logger, graceMs: 300 });
    // A request whose body is still coming: busy, so no idle close ends it; only the grace's cut does.
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ANALYST_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await server.shutdown();
    await closed;
    const said = lines.map((l) => JSON.parse(l) as { level: number; msg: string; graceMs?: number });
    expect(said).toContainEqual(expect.objectContaining({ level: 40, graceMs: 300, msg: expect.stringMatching(/^shutdown grace over: cutting the connections still busy/) }));
  });

  it('logs an export the grace cut as cut by the shutdown, not as a client that went away, before the shutdown ends (a worker exits then)', async () => {
    const { landing } = writeManyCustomersLanding(500, 100);
    const lake = makeTempDir('stedi-shutdown-export-');
    await buildLake(landing, lake);
    const config = loadConfig({ lake, landing, host: '127.0.0.1', port: 0, logLevel: 'info' }, {});
    const { logger, lines } = loggedLines();
    const server = await startServer({ config, engine: await openConfiguredEngine(config), apiKeys: testApiKeys(), logger, graceMs: 300 });
    const consent = server.services.consent;
    const snapshot = consent.snapshot.bind(consent);
    let asked = 0;
    let sending!: () => void;
    const midSend = new Promise<void>((resolve) => (sending = resolve));
    // The export's checks after its first MiB wait (a long export still going out): only the grace's cut ends it.
    consent.snapshot = async () => {
      asked += 1;
      if (asked > 2) {
        sending();
        await new Promise(() => undefined);
      }
      return snapshot();
    };
    const req = get({ host: '127.0.0.1', port: server.port, path: '/export/machine_learning_curated?format=csv', headers: { authorization: `Bearer ${ANALYST_KEY}` } }, (res) => res.resume());
    req.on('error', () => undefined);
    await midSend;
    await server.shutdown();
    const endings = lines.map((l) => JSON.parse(l) as { msg: string }).filter((l) => /^export (sent|cut|cancelled|failed)/.test(l.msg));
    expect(endings.map((l) => l.msg)).toEqual(['export cut: the server shut down before it was all sent (the shutdown grace was over)']);
  });
});

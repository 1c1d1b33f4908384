import { connect, type Socket } from 'node:net';
import { loadConfig } from '../../src/config';
import type { RunningServer } from '../../src/http/server';
import { defaultMaxConnections, openFilesLimit, RESERVED_FILES } from '../../src/open-files';
import { ANALYST_KEY } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { startLiveServer } from '../helpers/live-server';

/**
 * A process holds at most STEDI_MAX_CONNECTIONS connections: idle ones from a client that needs no key must not
 * take every file descriptor (honest requests reset, the consent refresh failing with EMFILE).
 */

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             94321                94321                processes
Max open files            20000                524288               files
Max locked memory         8388608              8388608              bytes
`;

/** An open connection, once the server has taken it (a connection it refuses is closed at once). */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The status of one request on a new connection, or 'closed' when the server closed it unanswered. */
function ask(port: number): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ANALYST_KEY}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve(status ? Number(status) : 'closed');
    });
  });
}

describe('the connection cap', () => {
  let server: RunningServer;
  const idle: Socket[] = [];
  beforeAll(async () => {
    server = await startLiveServer(writeSmallLanding(), { maxConnections: 3 });
  }, 60_000);
  afterAll(async () => {
    for (const socket of idle) socket.destroy();
    await server?.shutdown();
  });

  it('closes a connection past STEDI_MAX_CONNECTIONS as it arrives, and answers again once one of the others closes', async () => {
    expect(await ask(server.port)).toBe(200);
    for (let i = 0; i < 3; i += 1) idle.push(await open(server.port));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await ask(server.port)).toBe('closed');
    idle.pop()?.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await ask(server.port)).toBe(200);
  });

  it('closes the connection idle longest, once idle over a second, to answer a new one: silent connections at the cap no longer lock every client out', async () => {
    for (const socket of idle.splice(0)) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const silent: Socket[] = [];
    for (let i = 0; i < 3; i += 1) silent.push(await open(server.port));
    const closed = silent.map((socket) => new Promise<number>((resolve) => socket.once('close', () => resolve(silent.indexOf(socket)))));
    idle.push(...silent);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    // Node times out no connection before its first byte: these were held, and every new one closed, for as long as the client liked.
    expect(await ask(server.port)).toBe(200);
    expect(await Promise.race([closed[0], closed[1], closed[2]])).toBe(0);
    expect([silent[1]!.destroyed, silent[2]!.destroyed]).toEqual([false, false]);
  });
});

describe('the default connection cap', () => {
  it('is the soft open-file limit less a reserve for the lake’s own files', () => {
    expect(openFilesLimit(LIMITS)).toBe(20_000);
    expect(defaultMaxConnections(() => LIMITS)).toBe(20_000 - RESERVED_FILES);
    expect(defaultMaxConnections(() => LIMITS.replace('20000 ', '1024  '))).toBe(64);
  });

  it('is half the limit, at most 64, under a limit too low to keep the reserve', () => {
    expect(defaultMaxConnections(() => LIMITS.replace('20000 ', '100   '))).toBe(50);
    expect(defaultMaxConnections(() => LIMITS.replace('20000 ', '64    '))).toBe(32);
  });

  it('falls back to a fixed cap where the limit cannot be read, or is unlimited', () => {
    const fallback = defaultMaxConnections(() => {
      throw Object.assign(new Error('no /proc'), { code: 'ENOENT' });
    });
    expect(fallback).toBeGreaterThan(1_000);
    expect(defaultMaxConnections(() => LIMITS.replace('20000 ', 'unlimited'))).toBe(fallback);
  });

  it('is STEDI_MAX_CONNECTIONS when set, blank is unset, and 0 or a word is refused naming the setting', () => {
    expect(loadConfig({}, { STEDI_MAX_CONNECTIONS: '500' }).maxConnections).toBe(500);
    expect(loadConfig({}, { STEDI_MAX_CONNECTIONS: ' ' }).maxConnections).toBe(defaultMaxConnections());
    expect(() => loadConfig({}, { STEDI_MAX_CONNECTIONS: '0' })).toThrow(/STEDI_MAX_CONNECTIONS/);
    expect(() => loadConfig({}, { STEDI_MAX_CONNECTIONS: 'many' })).toThrow(/STEDI_MAX_CONNECTIONS/);
  });
});

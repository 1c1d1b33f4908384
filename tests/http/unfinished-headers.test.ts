import { connect, type Socket } from 'node:net';
import { loadConfig } from '../../src/config';
import type { RunningServer } from '../../src/http/server';
import { REFUSED_SLOW_HEADERS } from '../../src/http/unfinished-headers';
import { ANALYST_KEY } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { startLiveServer } from '../helpers/live-server';

/**
 * Connections dripping their headers hold them in the server (Node's parser keeps up to 32 KiB each until its 66 s
 * headers timeout): all together they hold at most STEDI_UNFINISHED_HEADER_BYTES, the slowest answered 408 and
 * closed, while a client sending whole requests meanwhile is answered as ever.
 */

const BUDGET = 256 * 1024;
const DRIPPERS = 40;
// Below the 16 KiB a request's headers may have: a connection kept is served once they end.
const LINES = 12;
const HEADER_LINE = `X-Pad: ${'a'.repeat(1_000)}\r\n`;

interface Dripper {
  socket: Socket;
  text: string;
  closed: boolean;
}

function drip(port: number): Dripper {
  const dripper: Dripper = { socket: connect(port, '127.0.0.1'), text: '', closed: false };
  dripper.socket.on('data', (chunk: Buffer) => (dripper.text += chunk.toString('latin1')));
  dripper.socket.on('error', () => undefined);
  dripper.socket.on('close', () => (dripper.closed = true));
  dripper.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n`);
  return dripper;
}

/** Statuses of `count` whole requests sent one after another on one keep-alive connection. */
async function wellBehaved(port: number, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { authorization: `Bearer ${ANALYST_KEY}` } });
    await response.text();
    statuses.push(response.status);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return statuses;
}

describe('unfinished headers', () => {
  let server: RunningServer;
  const drippers: Dripper[] = [];
  beforeAll(async () => {
    server = await startLiveServer(writeSmallLanding(), { unfinishedHeaderBytes: BUDGET });
  }, 60_000);
  afterAll(async () => {
    for (const { socket } of drippers) socket.destroy();
    await server?.shutdown();
  });

  it('answers the slowest senders 408 with a JSON error and closes them, keeping the rest within the budget, while whole requests are answered', async () => {
    for (let i = 0; i < DRIPPERS; i += 1) drippers.push(drip(server.port));
    const others = wellBehaved(server.port, 40);
    // 40 connections growing to 12 KiB of headers each over 1.8 s: 480 KiB, over the budget.
    for (let line = 0; line < LINES; line += 1) {
      for (const { socket, closed } of drippers) if (!closed) socket.write(HEADER_LINE);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const refused = drippers.filter((d) => d.text !== '');
    expect(refused.length).toBeGreaterThan(0);
    for (const { text, closed } of refused) {
      expect(closed).toBe(true);
      expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(text).toMatch(/\r\nConnection: close\r\n/);
      const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]).toEqual({ message: REFUSED_SLOW_HEADERS, extensions: { code: 'BAD_USER_INPUT' } });
    }
    expect(await server.app.metrics.registry.getSingleMetricAsString('stedi_slow_headers_refused_total')).toMatch(new RegExp(`^stedi_slow_headers_refused_total ${refused.length}$`, 'm'));
    const held = drippers.filter((d) => !d.closed).length;
    expect(held).toBeGreaterThan(0);
    expect(held * LINES * HEADER_LINE.length).toBeLessThanOrEqual(BUDGET);
    // The connections kept are served once their headers end.
    const kept = drippers.find((d) => !d.closed)!;
    kept.socket.write('Connection: close\r\n\r\n');
    await new Promise((resolve) => kept.socket.once('close', resolve));
    expect(kept.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(await others).toEqual(Array(40).fill(200));
  }, 30_000);

  it('is STEDI_UNFINISHED_HEADER_BYTES when set (0: no bound), and a negative number or a word is refused naming it', () => {
    expect(loadConfig({}, {}).unfinishedHeaderBytes).toBe(32 * 1024 * 1024);
    expect(loadConfig({}, { STEDI_UNFINISHED_HEADER_BYTES: '1048576' }).unfinishedHeaderBytes).toBe(1_048_576);
    expect(loadConfig({}, { STEDI_UNFINISHED_HEADER_BYTES: '0' }).unfinishedHeaderBytes).toBe(0);
    expect(() => loadConfig({}, { STEDI_UNFINISHED_HEADER_BYTES: '-1' })).toThrow(/STEDI_UNFINISHED_HEADER_BYTES/);
    expect(() => loadConfig({}, { STEDI_UNFINISHED_HEADER_BYTES: 'lots' })).toThrow(/STEDI_UNFINISHED_HEADER_BYTES/);
  });
});

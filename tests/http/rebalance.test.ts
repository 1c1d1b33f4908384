import { connect } from 'node:net';
import type { RunningServer } from '../../src/http/server';
import { writeSmallLanding } from '../helpers/landing-fixture';
import { startLiveServer } from '../helpers/live-server';

/**
 * rebalance(): each connection open closes after its next answer (a cluster worker's, once spare workers start), so
 * its client reconnects round the cluster. Through a live server on a raw keep-alive connection.
 */
describe('connections rebalanced after spare workers start', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startLiveServer(writeSmallLanding());
  });
  afterAll(() => server.shutdown());

  it.each([
    ['an unknown route (404)', 'GET /nope', 404],
    ['a method the route does not take (405)', 'PUT /graphql', 405],
    ['a query without a key (401)', 'GET /graphql?query=%7B__typename%7D', 401],
    ['OPTIONS (204)', 'OPTIONS /graphql', 204],
  ])('answers the next request, %s, with Connection: close and closes, the process unharmed', async (_what, line, status) => {
    const socket = connect(server.port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const answered = (count: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => void ((text.match(/HTTP\/1\.1 /g) ?? []).length >= count ? resolve() : socket.once('data', check));
        check();
      });
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await answered(1);
    // Answered synchronously by the app, such a request threw in the server's own request listener: an uncaught
    // exception that killed the worker. Here it would fail this test file.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      server.rebalance();
      socket.write(`${line} HTTP/1.1\r\nhost: x\r\n\r\n`);
      await closed;
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    const second = text.slice(text.indexOf('HTTP/1.1 ', 1));
    expect(second).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(second).toMatch(/\r\nConnection: close\r\n/i);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

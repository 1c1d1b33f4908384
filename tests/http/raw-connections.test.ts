import { connect, type Socket } from 'node:net';
import type { Engine } from '../../etl/engine/engine';
import { loadConfig } from '../../src/config';
import { openConfiguredEngine } from '../../src/engine';
import { createLogger } from '../../src/logger';
import { startServer, type RunningServer } from '../../src/http/server';
import { buildLake } from '../helpers/etl-lake';
import { ANALYST_KEY, testApiKeys } from '../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/** What the listening server (server.ts, as `stedi serve` runs it) answers on a raw connection. */

/** The answer without interim `1xx` heads: a server slow to begin its answer (a loaded machine) sends `102 Processing` first. */
const finalAnswers = (answer: string): string => answer.replace(/HTTP\/1\.1 1\d\d [^\r]*\r\n\r\n/g, '');

/** Sends `request` on a new connection, half-closes it when `halfClose`, and resolves with every byte read once the server closes. */
function ask(port: number, request: string, halfClose: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      socket.write(request);
      if (halfClose) socket.end();
    });
    let read = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (read += chunk));
    socket.on('error', reject);
    // The server's FIN: it has said all it will.
    socket.on('end', () => {
      socket.end();
      resolve(read);
    });
  });
}

describe('the listening server on raw connections', () => {
  let running: RunningServer;
  // Each server-side socket's FIN from its client; the held query goes on once it has been seen.
  let clientEnded: Promise<void> = Promise.resolve();
  let holdUntilClientEnded = false;

  beforeAll(async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-raw-connections-lake-');
    await buildLake(landing, lake);
    const config = loadConfig({ lake, landing, host: '127.0.0.1', port: 0, logLevel: 'silent' }, {});
    const opened = await openConfiguredEngine(config);
    // A query waits until the server has seen its client's FIN: the answer is surely made after it.
    const engine: Engine = new Proxy(opened, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property === 'query') return async (...args: Parameters<Engine['query']>) => ((holdUntilClientEnded ? await clientEnded : undefined), target.query(...args));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    running = await startServer({ config, engine, apiKeys: testApiKeys(), logger: createLogger('silent'), graceMs: 1_000 });
    running.server.on('connection', (socket: Socket) => {
      clientEnded = new Promise((resolve) => socket.once('end', resolve));
    });
  });
  afterAll(() => running.shutdown());

  it('answers a query whose client half-closed its connection right after sending it, then closes the connection', async () => {
    const body = JSON.stringify({ query: '{ customers(first: 2) { edges { node { serialNumber } } } }' });
    holdUntilClientEnded = true;
    let answer: string;
    try {
      answer = await ask(
        running.port,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ANALYST_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        true,
      );
    } finally {
      holdUntilClientEnded = false;
    }
    answer = finalAnswers(answer);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(json.errors).toBeUndefined();
    expect(json.data.customers.edges).toHaveLength(2);
  });

  it('answers every query a client pipelined then half-closed, those parsed after its FIN too (each was refused as not JSON)', async () => {
    const post = (first: number): string => {
      const body = JSON.stringify({ query: `{ customers(first: ${first}) { edges { node { serialNumber } } } }` });
      return `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ANALYST_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    // The first query's answer is made after the FIN; the next two wait for it, so their bodies are read after it.
    holdUntilClientEnded = true;
    let answer: string;
    try {
      answer = await ask(running.port, post(1) + post(2) + post(1), true);
    } finally {
      holdUntilClientEnded = false;
    }
    const bodies = finalAnswers(answer).split(/HTTP\/1\.1 /).slice(1).map((part) => ({ status: part.slice(0, 3), json: JSON.parse(part.slice(part.indexOf('\r\n\r\n') + 4)) }));
    expect(bodies.map(({ status, json }) => ({ status, errors: json.errors, rows: json.data?.customers.edges.length }))).toEqual(
      [1, 2, 1].map((rows) => ({ status: '200', errors: undefined, rows })),
    );
  });

  it('closes a half-closed connection that asked for nothing', async () => {
    expect(await ask(running.port, '', true)).toBe('');
  });

  it.each([
    ['headers', 'GET /healthz HTTP/1.1\r\nHost: x\r\n'],
    ['body', `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ANALYST_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query"`],
  ])('refuses with 400 and closes a half-closed connection whose request was cut short in its %s, holding nothing for the rest', async (_where, request) => {
    expect(await ask(running.port, request, true)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\nConnection: close\r\n/);
  });

  it('answers CONNECT (a tunnel through a proxy, which it is not) with 405 and Allow in the JSON error shape, never a 5xx, then closes the connection', async () => {
    const answer = await ask(running.port, 'CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n', false);
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(answer).toMatch(/\r\nAllow: GET, HEAD, POST, OPTIONS\r\n/);
    expect(answer).toMatch(/\r\nConnection: close\r\n/);
    const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(json.errors[0]).toEqual({ message: expect.stringMatching(/^CONNECT is not served: this server is not a proxy/), extensions: { code: 'BAD_USER_INPUT' } });
  });

  const WEBSOCKET = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

  it('refuses a WebSocket upgrade of /graphql with a JSON error saying to POST, then closes the connection', async () => {
    const answer = await ask(running.port, `GET /graphql HTTP/1.1\r\nHost: x\r\n${WEBSOCKET}Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`, false);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\nConnection: close\r\n/);
    const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    expect(json.errors[0]).toEqual({ message: expect.stringMatching(/does not serve GraphQL over WebSocket .*POST to \/graphql$/), extensions: { code: 'BAD_REQUEST' } });
  });

  // Node's parser reads nothing after a request that asks to upgrade: the one behind it waited until the connection timed out.
  it.each([
    ['a WebSocket', WEBSOCKET, '400 Bad Request'],
    ['HTTP/2 (h2c, as curl --http2 asks)', 'Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n', '200 OK'],
  ])('answers a request asking to upgrade to %s and closes the connection, so a request pipelined behind it is sent again, not left waiting', async (_what, upgrade, status) => {
    const answer = await ask(running.port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${upgrade}\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`, false);
    expect(answer.match(/^HTTP\/1\.1 .*$/gm)).toEqual([`HTTP/1.1 ${status}`]);
    expect(answer).toMatch(/\r\nConnection: close\r\n/);
  });
});

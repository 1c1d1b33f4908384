import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ApiKeys } from '../../src/auth/api-keys';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/**
 * One key's GraphQL requests begin one an event-loop turn, refused documents and introspection too, each key in its
 * own queue (key-turns.ts): a key sending many junk documents at once has them wait, and refused past its places,
 * while another key's request that arrived with them begins at once. Sent as raw requests written in one go, so they
 * all arrive in the same turn of the server's event loop; nothing is timed.
 */

const OTHER_KEY = 'test-analyst-key-two-0123456789abcdef';

function post(key: string, query: string): string {
  const body = JSON.stringify({ query });
  return `POST /graphql HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Opens one connection per request, then writes every request at once; resolves with each answer's status line and body. */
async function sendAtOnce(server: Server, requests: string[]): Promise<{ status: number; body: string }[]> {
  const { port } = server.address() as AddressInfo;
  const sockets: Socket[] = await Promise.all(requests.map(() => new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  })));
  const answers = sockets.map((socket) => new Promise<{ status: number; body: string }>((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text);
      if (head >= 0 && length && text.length - head - 4 >= Number(length[1])) {
        socket.destroy();
        resolve({ status: Number(text.slice(9, 12)), body: text.slice(head + 4) });
      }
    });
  }));
  // Every connection accepted by the server first: else each is accepted, and its request read, in a turn of its own.
  while ((await new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)))) < sockets.length) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  sockets.forEach((socket, i) => socket.write(requests[i]!));
  return Promise.all(answers);
}

describe('turns for each API key’s GraphQL requests', () => {
  let t: TestApp;
  const keys = new ApiKeys([{ key: ANALYST_KEY, role: 'analyst' }, { key: OTHER_KEY, role: 'analyst' }]);

  beforeAll(async () => {
    // Places to wait: 1 + 2 = 3 (STEDI_KEY_CONCURRENCY + STEDI_KEY_QUEUE).
    t = await buildTestApp({ landing: writeSmallLanding(), apiKeys: keys, config: { keyConcurrency: 1, keyQueue: 2, keyQueueMs: 60_000 } });
  });
  afterAll(() => t.close());

  it('has one key’s junk documents wait for turns and refuses those past its places with 429 RATE_LIMITED, while another key’s query sent with them is answered', async () => {
    // A new unknown field each: nothing kept, each parsed and refused by validation.
    const junk = Array.from({ length: 10 }, (_, i) => post(ANALYST_KEY, `{ ${Array.from({ length: 30 }, (_, j) => `junk${i}x${j}`).join(' ')} }`));
    const answers = await sendAtOnce(t.server, [...junk, post(OTHER_KEY, '{ customers(first: 2) { edges { node { serialNumber } } } }')]);

    const other = answers.pop()!;
    expect(other.status).toBe(200);
    expect(JSON.parse(other.body).data.customers.edges).toHaveLength(2);
    const statuses = answers.map((a) => a.status).sort();
    // One begins in the turn they arrive in, three wait for later turns, six are refused.
    expect(statuses).toEqual([400, 400, 400, 400, 429, 429, 429, 429, 429, 429]);
    const refused = JSON.parse(answers.find((a) => a.status === 429)!.body);
    expect(refused.errors).toEqual([{ message: expect.stringMatching(/3 GraphQL requests waiting to begin.*STEDI_KEY_CONCURRENCY/), extensions: { code: 'RATE_LIMITED' } }]);
    expect(t.app.keyTurns.waitingOf(keys.authenticate(ANALYST_KEY)!.keyId)).toBe(0);
  });

  it('lets keys whose documents were just refused begin one request a turn between them, while a key in good standing begins at once', async () => {
    const junkKeys = [1, 2, 3].map((n) => `test-junk-key-${n}-0123456789abcdef`);
    await t.close();
    const many = new ApiKeys([...junkKeys, OTHER_KEY].map((key) => ({ key, role: 'analyst' as const })));
    // Places to wait: 1 + 1 = 2 for each key.
    t = await buildTestApp({ landing: writeSmallLanding(), apiKeys: many, config: { keyConcurrency: 1, keyQueue: 1, keyQueueMs: 60_000 } });
    let n = 0;
    const junk = (key: string): string => post(key, `{ junk${(n += 1)} }`);
    // Each junk key is refused once (400): for the next second it is a refusing key.
    expect((await sendAtOnce(t.server, junkKeys.map(junk))).map((a) => a.status)).toEqual([400, 400, 400]);

    const answers = await sendAtOnce(t.server, [...junkKeys.flatMap((key) => [junk(key), junk(key), junk(key), junk(key)]), post(OTHER_KEY, '{ customers(first: 2) { edges { node { serialNumber } } } }')]);
    expect(answers.pop()!.status).toBe(200);
    // Turns by key alone: each junk key begins one, two wait, one is refused (three 429s). Between refusing keys, one
    // begins in the turn they arrive in: the other two keys' four each have two places to wait, and two are refused.
    expect(answers.filter((a) => a.status === 429)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 400)).toHaveLength(7);
  });
});

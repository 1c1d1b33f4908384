import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { MAX_WAITING } from '../../src/http/pipelined-requests';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/** HTTP/1.1 pipelining: requests a client sends ahead on one connection, before reading any answer. */

describe('pipelined requests on one connection', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let started = 0;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(1_000, 100).landing, onDataRequest: () => void (started += 1) });
  });
  afterAll(() => t.close());

  it('are answered one at a time, so a client that reads nothing cannot have them all made and held at once', async () => {
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    // Each a page of about a megabyte, all in one write: the server reads them in one go.
    const pages = 60;
    let requests = '';
    for (let i = 0; i < pages; i += 1) {
      const body = JSON.stringify({ query: `{ machineLearningSamples(first: ${10_000 - i}) { edges { node { serialNumber sensorReadingTime distanceFromObject x y z } } } }` });
      requests += `POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ANALYST_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    }
    socket.pause(); // reads nothing: the answers fill the kernel's buffers, then wait in the server
    socket.write(requests);
    // Until the count settles: the answers the kernel's buffers take, and one more waiting to be sent.
    let seen = -1;
    while (seen !== started) {
      seen = started;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    socket.destroy();
    expect(started).toBeGreaterThan(0);
    // Without the bound, every one of them is started at once (about 60 MB of pages held for a client reading none).
    expect(started).toBeLessThan(pages / 2);
  });

  it('are each answered in full and in order once the client reads', async () => {
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => socket.once('connect', resolve));
    const post = (query: string): string => {
      const body = JSON.stringify({ query });
      return `POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ANALYST_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    socket.write(
      post('{ machineLearningSamples(first: 10000) { edges { node { serialNumber x } } } }') +
        post('{ customers(first: 2) { edges { node { serialNumber } } } }') +
        'GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    await new Promise((resolve) => socket.once('close', resolve));
    const text = Buffer.concat(chunks).toString('utf8');
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['200', '200', '200']);
    const bodies = text.split(/HTTP\/1\.1 200 OK\r\n[\s\S]*?\r\n\r\n/).slice(1);
    expect(JSON.parse(bodies[0]!).data.machineLearningSamples.edges).toHaveLength(10_000);
    expect(JSON.parse(bodies[1]!).data.customers.edges).toHaveLength(2);
    expect(JSON.parse(bodies[2]!)).toEqual({ status: 'ok' });
  });
  /** Writes `count` pipelined GET /healthz on a new connection, read as they come; resolves once every answer is in. */
  async function tinyRequests(count: number): Promise<{ socket: Socket; answered: Promise<number> }> {
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let statuses = 0;
    let tail = '';
    const answered = new Promise<number>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        const text = tail + chunk.toString('latin1');
        statuses += text.split('HTTP/1.1 200 OK').length - 1;
        tail = text.slice(-16);
        if (statuses >= count) resolve(statuses);
      });
      socket.once('close', () => resolve(statuses));
    });
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(count));
    return { socket, answered };
  }

  /** Counts, for one connection's requests, those the server has read and not yet answered. */
  function watchWaiting(socketPort: () => number | undefined): { max: () => number; finished: () => number; stop: () => void } {
    let read = 0;
    let finished = 0;
    let max = 0;
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      if (req.socket.remotePort !== socketPort()) return;
      read += 1;
      max = Math.max(max, read - finished);
      res.once('finish', () => (finished += 1));
    };
    t.server.on('request', onRequest);
    return { max: () => max, finished: () => finished, stop: () => void t.server.off('request', onRequest) };
  }

  it('stop being read while MAX_WAITING wait, so a client that reads no answer cannot have thousands of tiny requests read and held', async () => {
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    const waiting = watchWaiting(() => socket.localPort);
    // Answers of 3.5 KB, each below the 16 KiB past which Node stops reading a connection whose answers back up itself:
    // once a thousand or two fill the kernel's buffers, the rest were all read and waited.
    const query = encodeURIComponent('{ __type(name: "Query") { fields { name description args { name description } } } }');
    socket.pause();
    socket.write(`GET /graphql?query=${query} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ANALYST_KEY}\r\n\r\n`.repeat(5_000));
    let seen = -1;
    while (seen !== waiting.max()) {
      seen = waiting.max();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    socket.destroy();
    waiting.stop();
    expect(waiting.max()).toBeGreaterThanOrEqual(MAX_WAITING);
    // Node parses the rest of a chunk it read (64 KiB, ~300 of these) before it stops; without the bound, all 5,000 were read.
    expect(waiting.max()).toBeLessThan(MAX_WAITING + 1_000);
  });

  it("take turns with other connections: another client's request is answered while one connection's thousands run", async () => {
    let port: number | undefined;
    const flood = watchWaiting(() => port);
    const { socket, answered } = await tinyRequests(6_000).then((f) => ((port = f.socket.localPort), f));
    while (flood.finished() < 100) await new Promise((resolve) => setImmediate(resolve));
    const before = flood.finished();
    const response = await fetch(`http://127.0.0.1:${(t.server.address() as AddressInfo).port}/healthz`);
    const during = flood.finished() - before;
    expect(response.status).toBe(200);
    await answered;
    socket.destroy();
    flood.stop();
    // Ran back to back, a whole chunk's requests (~1,800) were answered before the other client's one was read.
    expect(during).toBeLessThan(100);
  });
});

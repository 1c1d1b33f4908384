import { connect, type AddressInfo } from 'node:net';
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
});

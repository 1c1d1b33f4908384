import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/** Responses Node queues behind another on a pipelined connection, when the client hangs up before they are sent. */

const settled = async (count: () => number): Promise<number> => {
  let seen = -1;
  while (seen !== count()) {
    seen = count();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return seen;
};

describe('responses queued on a pipelined connection', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(() => t.close());

  it('close with their connection, so each request read is over, logged and counted, though its answer was never sent', async () => {
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    let read = 0;
    let closed = 0;
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      if (req.socket.remotePort !== socket.localPort) return;
      read += 1;
      res.once('close', () => (closed += 1));
    };
    t.server.on('request', onRequest);
    // Answers of 3.5 KB the client never reads: once the kernel's buffers are full, the rest wait queued in the server.
    const query = encodeURIComponent('{ __type(name: "Query") { fields { name description args { name description } } } }');
    socket.pause();
    socket.write(`GET /graphql?query=${query} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ANALYST_KEY}\r\n\r\n`.repeat(3_000));
    await settled(() => read);
    const answered = closed;
    socket.destroy();
    await settled(() => closed);
    t.server.off('request', onRequest);
    expect(answered).toBeLessThan(read);
    // Node closed the response holding the connection and left the queued ones open for good (about 30 of them).
    expect(closed).toBe(read);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const counted = [...metrics.matchAll(/^stedi_http_requests_total\{route="\/graphql",method="GET",status="\d+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(counted).toBe(read);
  });
});

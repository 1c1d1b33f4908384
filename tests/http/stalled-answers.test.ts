import { connect, type AddressInfo, type Socket } from 'node:net';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * A client that asks for a large answer and reads none of it: the answer is cut once its bytes stop moving for the
 * stall limit, instead of being held for as long as the client keeps the connection open.
 */

// Eleven aliases of a 10,000-row page (within the alias and cost limits; the rows bound raised for them): about 16 MB, more than the kernel's buffers take.
const PAGE = 'machineLearningSamples(first: 10000) { edges { node { serialNumber sensorReadingTime sensorReadingTimeIso distanceFromObject x y z } } }';
const LARGE = `{ ${Array.from({ length: 11 }, (_, i) => `p${i}: ${PAGE}`).join(' ')} }`;

// Long enough for a slow reader to free part of loopback's megabytes of socket buffers, which is when the server sees it move.
const STALL_MS = 1_000;

describe('answers the client stops reading', () => {
  // Two answers of 16 MB (three took 17 s alone on a quiet 2-core host, over 60 s beside another heavy suite: CI runs two at once).
  jest.setTimeout(180_000);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(130, 100).landing, answerStallMs: STALL_MS, config: { limits: { maxRequestRows: 110_000 } } });
  });
  afterAll(() => t.close());

  /** The large answer asked on a raw socket (`headers`: more header lines), so the test decides how it is read. */
  async function askLarge(headers = ''): Promise<Socket> {
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = JSON.stringify({ query: LARGE });
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\n${headers}authorization: Bearer ${ANALYST_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return socket;
  }

  /** The status, content-length and body of an answer read on a raw socket, as far as it came. */
  const parsed = (text: string): { status: number; length: number; body: string } => ({
    status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]),
    length: Number(/\r\ncontent-length: (\d+)\r\n/i.exec(text)?.[1]),
    body: text.slice(text.indexOf('\r\n\r\n') + 4),
  });

  it('are cut once nothing moves for the stall limit, instead of being held while the connection stays open', async () => {
    // The answer's size is its own content-length (the headers go first); the whole answer is read in the next test.
    const socket = await askLarge();
    socket.pause(); // reads nothing
    // The client, reading nothing, cannot see the cut: the server's count of open connections does. Without the cut,
    // the server keeps the rest of the answer queued and the connection open for ever.
    const open = (): Promise<number> => new Promise((resolve, reject) => t.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    while ((await open()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    socket.resume();
    let text = '';
    socket.on('data', (chunk: Buffer) => void (text += chunk.toString('latin1')));
    await new Promise((resolve) => socket.once('close', resolve));
    const answer = parsed(text);
    expect(answer.status).toBe(200);
    expect(answer.length).toBeGreaterThan(10_000_000);
    expect(Buffer.byteLength(answer.body, 'latin1')).toBeLessThan(answer.length);
  });

  // One answer read both ways (each 16 MB answer is seconds of the suite): slowly throughout, and once paused with the
  // wall clock stepped. Either cut short, it fails.
  it('are sent whole to a client reading slowly but steadily, however long past the stall limit it takes, and pausing within the limit while the wall clock steps an hour forward (NTP, a laptop waking)', async () => {
    const socket = await askLarge('connection: close\r\n');
    const started = Date.now();
    let text = '';
    let stepped = false;
    const wall = Date.now.bind(Date);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      socket.pause();
      // A read, then a pause well within the stall limit: the answer keeps moving, only slowly (a few MB a second).
      if (stepped || text.length < 1 << 20) {
        setTimeout(() => socket.resume(), 10);
        return;
      }
      // Once the answer flows: a pause of 40% of the limit, long enough for the kernel's buffers to fill, with the clock stepped.
      stepped = true;
      const step = jest.spyOn(Date, 'now').mockImplementation(() => wall() + 3_600_000);
      setTimeout(() => {
        step.mockRestore();
        socket.resume();
      }, STALL_MS * 0.4);
    });
    await new Promise((resolve) => socket.once('close', resolve));
    const answer = parsed(text);
    expect(stepped).toBe(true);
    expect(Date.now() - started).toBeGreaterThan(STALL_MS * 2);
    expect(Buffer.byteLength(answer.body, 'latin1')).toBe(answer.length);
    // Read in full, it is the whole answer: every alias's 10,000 rows.
    expect(answer.status).toBe(200);
    expect(answer.length).toBeGreaterThan(10_000_000);
    expect((JSON.parse(Buffer.from(answer.body, 'latin1').toString('utf8')) as { data: { p10: { edges: unknown[] } } }).data.p10.edges).toHaveLength(10_000);
  });
});

import fc from 'fast-check';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { bodyLimitBytes } from '../../src/config-values';
import { DROPPED_BODY_BYTES } from '../../src/http/body-admission';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * When a request body may come in (`Expect: 100-continue`) and how much of it is read: a client without a key, or
 * declaring a body over the limit, is answered before it sends the body, and a refused body is never read to its
 * end. Raw sockets, as an HTTP client library would hide the interim 100 and the bytes it sent.
 */

// body-parser's own reading of its limit (no types are published for it).
const bytes = require('bytes') as { parse(value: string): number | null };
const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const BIG = 100 * 1024 * 1024;

interface Conversation {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves once what the server sent matches `pattern`. */
  until(pattern: RegExp): Promise<string>;
  /** Resolves once the server closed the connection. */
  closed: Promise<void>;
}

async function open(t: TestApp, head: string): Promise<Conversation> {
  const { port } = t.server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // a write after the server cut the connection
  await new Promise((resolve) => socket.once('connect', resolve));
  let text = '';
  const waiting: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    for (const check of waiting.splice(0)) check();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(head);
  const until = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(text)) resolve(text);
        else if (socket.destroyed) reject(new Error(`closed before ${pattern}; received ${JSON.stringify(text.slice(0, 300))}`));
        else waiting.push(check);
      };
      socket.once('close', check);
      check();
    });
  return { socket, received: () => text, until, closed };
}

const post = (headers: string[]): string => ['POST /graphql HTTP/1.1', 'host: x', 'content-type: application/json', ...headers, '', ''].join('\r\n');
const statusLine = (text: string): string => text.split('\r\n', 1)[0]!;

describe('request bodies: when they are asked for and how much is read', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(2, 1).landing });
  });
  afterAll(() => t.close());

  it('answers Expect: 100-continue without a key with 401, never inviting the body', async () => {
    const c = await open(t, post(['expect: 100-continue', `content-length: ${BIG}`]));
    const text = await c.until(/\r\n\r\n\{.*\}$/s);
    expect(statusLine(text)).toBe('HTTP/1.1 401 Unauthorized');
    expect(text).not.toMatch(/100 Continue/);
    c.socket.destroy();
  });

  it('answers Expect: 100-continue with a key and a declared body over the limit with 413, never inviting the body', async () => {
    const c = await open(t, post(['expect: 100-continue', `authorization: Bearer ${ANALYST_KEY}`, `content-length: ${BIG}`]));
    const text = await c.until(/\r\n\r\n\{.*\}$/s);
    expect(statusLine(text)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(JSON.parse(text.split('\r\n\r\n')[1]!).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(text).not.toMatch(/100 Continue/);
    c.socket.destroy();
  });

  it('invites the body of a keyed request within the limit with 100 Continue, then answers it', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const c = await open(t, post(['expect: 100-continue', `authorization: Bearer ${ANALYST_KEY}`, `content-length: ${Buffer.byteLength(body)}`]));
    expect(await c.until(/^HTTP\/1\.1 100 Continue\r\n\r\n/)).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    c.socket.write(body);
    const text = await c.until(/\{"data":\{"__typename":"Query"\}\}/);
    expect(text).toMatch(/HTTP\/1\.1 200 OK/);
    c.socket.destroy();
  });

  it('invites the body of a keyed request whose Expect names 100-continue beside another word, as Node held it for that', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const c = await open(t, post(['expect: 100-continue, x-other', `authorization: Bearer ${ANALYST_KEY}`, `content-length: ${Buffer.byteLength(body)}`]));
    expect(await c.until(/^HTTP\/1\.1 100 Continue\r\n\r\n/)).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    c.socket.write(body);
    expect(await c.until(/\{"data":\{"__typename":"Query"\}\}/)).toMatch(/HTTP\/1\.1 200 OK/);
    c.socket.destroy();
  });

  it('answers an Expect it does not meet (not 100-continue) with 417 and a JSON error, and the next request on the connection', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const c = await open(t, `${post(['expect: 200-ok', `authorization: Bearer ${ANALYST_KEY}`, `content-length: ${Buffer.byteLength(body)}`])}${body}`);
    // Node answered it alone, before the app: a bare 417 with an empty body, no code, no request id, no log line.
    const text = await c.until(/\r\n\r\n\{.*\}\]\}/);
    expect(statusLine(text)).toBe('HTTP/1.1 417 Expectation Failed');
    expect(text).toMatch(/\r\nX-Request-Id: /i);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ errors: [{ message: expect.stringMatching(/Expect header.*100-continue/), extensions: { code: 'BAD_USER_INPUT' } }] });
    c.socket.write(`${post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${Buffer.byteLength(body)}`])}${body}`);
    expect(await c.until(/\{"data":\{"__typename":"Query"\}\}/)).toMatch(/HTTP\/1\.1 200 OK/);
    c.socket.destroy();
  });

  it.each(['gzip, chunked', 'x-custom, chunked'])('answers a body sent with Transfer-Encoding: %s with 400 saying to use Content-Encoding, and the next request on the connection', async (coding) => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const gzipped = gzipSync(body);
    const c = await open(t, post([`transfer-encoding: ${coding}`, `authorization: Bearer ${ANALYST_KEY}`]));
    c.socket.write(Buffer.concat([Buffer.from(`${gzipped.length.toString(16)}\r\n`), gzipped, Buffer.from('\r\n0\r\n\r\n')]));
    // Read as the JSON itself: a gzipped body was told it was not UTF-8 ('a Latin-1 é'), a plain one was answered 200.
    // Node took off the chunking alone.
    const text = await c.until(/\r\n\r\n\{.*\}\]\}/);
    expect(statusLine(text)).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ errors: [{ message: expect.stringMatching(/Transfer-Encoding.*Content-Encoding: gzip/), extensions: { code: 'BAD_USER_INPUT' } }] });
    c.socket.write(`${post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${Buffer.byteLength(body)}`])}${body}`);
    expect(await c.until(/\{"data":\{"__typename":"Query"\}\}/)).toMatch(/HTTP\/1\.1 200 OK/);
    c.socket.destroy();
  });

  it('answers 413 to a declared Content-Length over the limit before any of the body is sent', async () => {
    const c = await open(t, post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${BIG}`]));
    expect(statusLine(await c.until(/\r\n\r\n\{.*\}$/s))).toBe('HTTP/1.1 413 Payload Too Large');
    c.socket.destroy();
  });

  it('answers 413 to a chunked body as soon as it passes the limit, while the client is still sending', async () => {
    const c = await open(t, post([`authorization: Bearer ${ANALYST_KEY}`, 'transfer-encoding: chunked']));
    const chunk = ' '.repeat(64 * 1024);
    // 2 MB against the 1 MB limit, and no last chunk: the body never ends.
    for (let i = 0; i < 32; i += 1) c.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    expect(statusLine(await c.until(/\r\n\r\n\{.*\}$/s))).toBe('HTTP/1.1 413 Payload Too Large');
    c.socket.destroy();
  });

  it.each([
    ['a /graphql request without a key', post([`content-length: ${BIG}`])],
    ['a /graphql request over the limit', post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${BIG}`])],
    ['a /healthz request', `GET /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: ${BIG}\r\n\r\n`],
    ['a request for no route', `POST /nowhere HTTP/1.1\r\nhost: x\r\ncontent-length: ${BIG}\r\n\r\n`],
  ])('cuts the connection of a body its answer left unread (%s) once a bounded part of the rest was read, instead of reading it all', async (_what, head) => {
    const c = await open(t, head);
    await c.until(/\r\n\r\n\{.*\}$/s);
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    let open_ = true;
    void c.closed.then(() => void (open_ = false));
    // Sends until the server cuts the connection; before the bound it read all 100 MB to keep the connection alive.
    while (open_ && sent < BIG) {
      const flushed = c.socket.write(chunk);
      sent += chunk.length;
      if (!flushed) await Promise.race([new Promise((resolve) => c.socket.once('drain', resolve)), c.closed]);
    }
    await c.closed;
    expect(sent).toBeLessThan(BIG / 4);
    expect(sent).toBeGreaterThan(0);
  });

  it('keeps the connection of a small body refused for its key: the next request on it is answered', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const c = await open(t, `${post(['authorization: Bearer not-a-key-0123456789', `content-length: ${body.length}`])}${body}`);
    expect(statusLine(await c.until(/\r\n\r\n\{.*\}$/s))).toBe('HTTP/1.1 401 Unauthorized');
    c.socket.write(`${post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${body.length}`])}${body}`);
    expect(await c.until(/\{"data":\{"__typename":"Query"\}\}/)).toMatch(/HTTP\/1\.1 200 OK/);
    c.socket.destroy();
  });

  it.each([
    ['refused for its key (401)', 256 * 1024, [] as string[]],
    ['refused for its declared size (413)', 1024 * 1024 + 1, [`authorization: Bearer ${ANALYST_KEY}`]],
  ])('keeps the connection of a body within the drop bound %s, larger than Node buffers: the request sent behind it is answered', async (_what, size, headers) => {
    const query = JSON.stringify({ query: '{ __typename }' });
    const next = `${post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${query.length}`])}${query}`;
    // The whole body and the next request in one write, as a keep-alive client retrying at once sends them.
    const c = await open(t, `${post([...headers, `content-length: ${size}`])}${' '.repeat(size)}${next}`);
    const text = await c.until(/\{"data":\{"__typename":"Query"\}\}/);
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual([headers.length ? 'HTTP/1.1 413' : 'HTTP/1.1 401', 'HTTP/1.1 200']);
    expect(size).toBeLessThan(DROPPED_BODY_BYTES);
    c.socket.destroy();
  });

  it('says Connection: close on the 413 of a body longer than the drop bound sent in full, and closes the connection after it', async () => {
    const size = DROPPED_BODY_BYTES + 1024 * 1024;
    const query = JSON.stringify({ query: '{ __typename }' });
    const c = await open(t, post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${size}`]));
    // The whole body, then a request behind it, as a keep-alive client sends them when it reads the answer only after sending.
    c.socket.write(' '.repeat(size));
    c.socket.write(`${post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${query.length}`])}${query}`);
    const text = await c.until(/\r\n\r\n\{.*\}$/s);
    expect(statusLine(text)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    await c.closed;
    // Told to close, the client knows the request behind the body was not taken: nothing answered it.
    expect(c.received().match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 413']);
  });

  it('says Connection: close on the 413 of a chunked body over the limit, and still lets a client sending it read the answer', async () => {
    const c = await open(t, post([`authorization: Bearer ${ANALYST_KEY}`, 'transfer-encoding: chunked']));
    const chunk = ' '.repeat(64 * 1024);
    for (let i = 0; i < 20; i += 1) c.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    c.socket.write('0\r\n\r\n');
    const text = await c.until(/\r\n\r\n\{.*\}$/s);
    expect(statusLine(text)).toBe('HTTP/1.1 413 Payload Too Large');
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    await c.closed;
  });

  it(`reads STEDI_BODY_LIMIT as the body parser does (seed ${SEED})`, () => {
    const unit = fc.constantFrom('', 'b', 'kb', 'mb', 'gb', 'KB', 'Mb');
    const number = fc.oneof(fc.integer({ min: 1, max: 10_000 }).map(String), fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1, max: 999 })).map(([a, b]) => `${a}.${b}`));
    fc.assert(
      fc.property(number, unit, fc.constantFrom('', ' '), (n, u, space) => {
        const limit = `${n}${space}${u}`;
        expect(bodyLimitBytes(limit)).toBe(bytes.parse(limit));
      }),
      { seed: SEED, numRuns: 500 },
    );
    expect(DROPPED_BODY_BYTES).toBeLessThan(BIG / 4);
  });
});

describe("one key's request bodies arriving at once", () => {
  let t: TestApp;
  beforeAll(async () => {
    // Two places: one request for data running, one waiting.
    t = await buildTestApp({ landing: writeManyCustomersLanding(2, 1).landing, config: { keyConcurrency: 1, keyQueue: 1 } });
  });
  afterAll(() => t.close());

  it('refuses a key a body past its places at once with 429 RATE_LIMITED, while its others arrive and another key is answered', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    // Bodies dripped: each connection sends its first byte and holds the rest, as a slow or hostile client does.
    const held = await Promise.all([0, 1].map(() => open(t, post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${body.length}`]) + body.slice(0, 1))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await open(t, post([`authorization: Bearer ${ANALYST_KEY}`, `content-length: ${body.length}`]) + body.slice(0, 1));
    const refused = await third.until(/\r\n\r\n\{.*\}$/s);
    expect(statusLine(refused)).toBe('HTTP/1.1 429 Too Many Requests');
    expect(refused).toMatch(/\r\nRetry-After: 1\r\n/i);
    expect(await t.app.metrics.registry.getSingleMetricAsString('stedi_key_concurrency_refusals_total')).toMatch(/\{route="graphql",reason="bodies_arriving"\} 1$/m);
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toEqual({
      errors: [{ message: expect.stringMatching(/already has 2 request bodies arriving.*send each body whole/), extensions: { code: 'RATE_LIMITED' } }],
    });
    // Another key has places of its own; the held bodies, once sent whole, are answered.
    expect((await t.graphql('{ __typename }', ADMIN_KEY)).status).toBe(200);
    for (const c of held) c.socket.write(body.slice(1));
    for (const c of held) expect(statusLine(await c.until(/"__typename":"Query"/))).toBe('HTTP/1.1 200 OK');
    // Their places are free again.
    expect((await t.graphql('{ __typename }', ANALYST_KEY)).status).toBe(200);
    for (const c of [...held, third]) c.socket.destroy();
  });
});

describe('request bodies on a connection told to close', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(2, 1).landing });
    // A draining server answers every request with Connection: close.
    t.app.startDraining();
  });
  afterAll(() => t.close());

  it('reads the rest of a body its Connection: close answer left unread, then closes without resetting the client still sending it', async () => {
    const size = 1024 * 1024;
    const c = await open(t, post([`content-length: ${size}`]));
    const errors: string[] = [];
    c.socket.on('error', (e: NodeJS.ErrnoException) => errors.push(String(e.code)));
    const text = await c.until(/\r\n\r\n\{.*\}$/s);
    expect(statusLine(text)).toBe('HTTP/1.1 401 Unauthorized');
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    // The client sends its body after the answer came (a client that reads only once it has sent everything would
    // meet a reset on a write, and report that instead of the answer).
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let sent = 0; sent < size && !c.socket.destroyed; sent += chunk.length) {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((resolve) => c.socket.once('drain', resolve)), c.closed]);
    }
    await c.closed;
    expect(errors).toEqual([]);
  });
});

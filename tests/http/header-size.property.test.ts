import fc from 'fast-check';
import { connect, type AddressInfo } from 'node:net';
import { HEADER_BYTES, PARSER_HEADER_BYTES } from '../../src/http/header-size';
import { buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * URL and headers past 16 KiB are refused 431 in the JSON error shape, by the app up to the parser's own limit (where
 * a listed origin's CORS headers are on it) and by the parser past it; within 16 KiB the request is answered.
 * Counted as Node counts them: the URL, and each header's name and value.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ORIGIN = 'https://notebooks.example.com';

/** The status line and body of the answer to `raw`, sent with Connection: close. */
function send(port: number, raw: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const end = text.indexOf('\r\n\r\n');
      resolve({ status: Number(text.split(' ', 2)[1]), headers: text.slice(0, end), body: text.slice(end + 4) });
    });
    socket.end(raw);
  });
}

describe(`URL and headers around the 16 KiB limit (seed ${SEED})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(2, 1).landing, config: { corsOrigins: [ORIGIN] } });
  });
  afterAll(() => t.close());

  it('answers within 16 KiB, and refuses 431 in the JSON shape past it (with CORS headers below the parser limit)', async () => {
    const { port } = t.server.address() as AddressInfo;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: HEADER_BYTES - 600, max: PARSER_HEADER_BYTES + 2_000 }),
        fc.array(fc.tuple(fc.stringMatching(/^x-[a-z]{1,8}$/), fc.integer({ min: 0, max: 400 })), { maxLength: 8 }),
        async (target, extra) => {
          const headers: Array<[string, string]> = [['host', 'x'], ['origin', ORIGIN], ['connection', 'close'], ...extra.map(([name, size]): [string, string] => [name, 'v'.repeat(size)])];
          const headerBytes = headers.reduce((sum, [name, value]) => sum + name.length + value.length, 0);
          const url = `/healthz?pad=${'a'.repeat(Math.max(0, target - headerBytes - 13))}`;
          const counted = url.length + headerBytes;
          const answer = await send(port, `GET ${url} HTTP/1.1\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`);
          if (counted < HEADER_BYTES) {
            expect(answer.status).toBe(200);
            return;
          }
          expect(answer.status).toBe(431);
          expect(JSON.parse(answer.body)).toEqual({ errors: [{ message: expect.stringMatching(/16 KiB.*POST body/), extensions: { code: 'BAD_USER_INPUT' } }] });
          // Below the parser's limit the app answers, so a page on a listed origin can read it.
          if (counted < PARSER_HEADER_BYTES - 1_000) expect(answer.headers).toMatch(new RegExp(`\r\naccess-control-allow-origin: ${ORIGIN}\r\n`, 'i'));
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });
});

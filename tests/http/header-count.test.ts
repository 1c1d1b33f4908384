import { connect, type AddressInfo } from 'node:net';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/** Node drops a request's headers past about 1,000 without a word (src/http/header-count.ts): such a request is refused, saying so. */

describe('requests with very many headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(3, 1).landing });
  });
  afterAll(() => t.close());

  /** The raw answer to a POST of `{ __typename }` whose Authorization comes after `extra` short headers. */
  function send(extra: number): Promise<string> {
    const body = JSON.stringify({ query: '{ __typename }' });
    const head = `POST /graphql HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${'x-a:\r\n'.repeat(extra)}authorization: Bearer ${ANALYST_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      const socket = connect((t.server.address() as AddressInfo).port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.end(head + body);
    });
  }

  it('refuses a request whose key came after 1,200 headers as having too many headers, not as sending no key', async () => {
    const answer = await send(1_200);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    // Node 20 drops headers past about 1,000 and the app refuses (header-count.ts); Node 22+'s parser refuses (client-errors.ts).
    expect(body.errors[0].message).toMatch(/(1000 headers or more.*send fewer headers)|(about 1,000 headers.*fewer or shorter headers)/);
  });

  it('answers a request of 900 headers', async () => {
    expect(await send(900)).toMatch(/^HTTP\/1\.1 200 [\s\S]*"__typename":"Query"/);
  });
});

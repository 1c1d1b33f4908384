import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/** Text sent as bytes that are not UTF-8 is refused, never read as U+FFFD (a different split, a different serial). */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
interface Answer {
  data?: { machineLearningSamples: { totalCount: number } };
  errors?: Array<{ message: string; extensions: { code: string } }>;
}

const COUNT = 'query($s: String) { machineLearningSamples(split: TRAIN, splitSeed: $s) { totalCount } }';

/** A POST body whose splitSeed variable is `seed`'s bytes, as they are. */
const bodyWithSeed = (seed: Buffer): Buffer =>
  Buffer.concat([Buffer.from(JSON.stringify({ query: COUNT, variables: { s: '@' } }).replace('"@"', '"')), seed, Buffer.from('"}}')]);

const percentEncoded = (bytes: Uint8Array): string => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

// Bytes that cannot be in UTF-8 text: a Latin-1 é, a lone continuation byte, 0xFE/0xFF, a surrogate, an overlong '/'.
const NOT_UTF8 = [[0xe9], [0x80], [0xfe], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x61, 0xe9, 0x62]].map((b) => [percentEncoded(Uint8Array.from(b)), b] as const);

describe('text sent as bytes that are not UTF-8', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(6, 2).landing });
  });
  afterAll(() => t.close());

  // fetch sends the bytes as they are (supertest would send a Buffer as JSON of its bytes).
  const post = async (body: Buffer): Promise<{ status: number; body: Answer }> => {
    const res = await fetch(`http://127.0.0.1:${(t.server.address() as AddressInfo).port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` },
      body,
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  it.each(NOT_UTF8)('refuses a POST body holding the bytes %s with 400 BAD_USER_INPUT saying to send UTF-8, rather than as U+FFFD', async (_name, bytes) => {
    const res = await post(bodyWithSeed(Buffer.from(bytes)));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: expect.stringMatching(/not valid UTF-8/), extensions: { code: 'BAD_USER_INPUT' } }]);
  });

  it('answers a seed sent as UTF-8 (é, U+FFFD itself, an emoji) as before', async () => {
    for (const seed of ['é', '\ufffd', '😀']) {
      const res = await post(bodyWithSeed(Buffer.from(seed)));
      expect(res.status).toBe(200);
      expect(typeof res.body.data?.machineLearningSamples.totalCount).toBe('number');
    }
  });

  it.each(NOT_UTF8)('refuses an export whose splitSeed is %s, and a GET of /graphql with those bytes in its variables', async (seed) => {
    const exported = await request(t.server).get(`/export/machine_learning_curated?format=csv&split=TRAIN&splitSeed=${seed}`).set('authorization', `Bearer ${ANALYST_KEY}`);
    expect(exported.status).toBe(400);
    expect(exported.body.errors).toEqual([{ message: expect.stringMatching(/not UTF-8/), extensions: { code: 'BAD_USER_INPUT' } }]);
    const variables = encodeURIComponent(JSON.stringify({ s: 'x' })).replace('x', seed);
    const asked = await request(t.server)
      .get(`/graphql?query=${encodeURIComponent(COUNT)}&variables=${variables}`)
      .set('authorization', `Bearer ${ANALYST_KEY}`)
      .set('apollo-require-preflight', 'true');
    expect(asked.status).toBe(400);
    expect(asked.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('still exports with a UTF-8 percent-encoded seed and a stray percent sign (splitSeed=%C3%A9 and 100%)', async () => {
    for (const seed of ['%C3%A9', '100%', '%', '%zz']) {
      const res = await request(t.server).get(`/export/machine_learning_curated?format=csv&split=TRAIN&splitSeed=${seed}`).set('authorization', `Bearer ${ANALYST_KEY}`);
      expect(res.status).toBe(200);
    }
  });

  it(`refuses a body or a query string exactly when its bytes are not UTF-8 (seed ${SEED})`, async () => {
    const bytes = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.string({ minLength: 1, maxLength: 4, unit: 'grapheme' }).map((s) => Uint8Array.from(Buffer.from(s))));
    await fc.assert(
      fc.asyncProperty(bytes, async (seed) => {
        const utf8 = isUtf8(seed);
        // JSON's own rules come first for the body: a control character or a quote or backslash is not valid JSON either way.
        const jsonSafe = seed.every((b) => b >= 0x20 && b !== 0x22 && b !== 0x5c);
        if (jsonSafe) {
          const res = await post(bodyWithSeed(Buffer.from(seed)));
          const refusedForEncoding = res.status === 400 && /not valid UTF-8/.test(JSON.stringify(res.body));
          if (refusedForEncoding === utf8) throw new Error(`body ${percentEncoded(seed)}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        }
        const exported = await request(t.server)
          .head(`/export/machine_learning_curated?format=csv&split=TRAIN&splitSeed=${percentEncoded(seed)}`)
          .set('authorization', `Bearer ${ANALYST_KEY}`);
        if ((exported.status === 400) === utf8) throw new Error(`splitSeed=${percentEncoded(seed)}: ${exported.status}`);
      }),
      { seed: SEED, numRuns: 150, endOnFailure: true },
    );
  }, 120_000);
});

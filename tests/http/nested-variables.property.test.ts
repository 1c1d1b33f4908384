import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { MAX_BODY_DEPTH } from '../../src/http/json-depth';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { serialOf, writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * Variables nested thousands of levels deep are valid JSON, but writing them back as JSON overflows the stack: the
 * key of the cache of whole answers did, and the request was answered 500. A body nesting deeper than MAX_BODY_DEPTH
 * is now refused before it is parsed (json-depth.ts: parsing one took seconds); within it, such a request is answered
 * like any other (the variables the operation does not declare are ignored), or refused with a typed code, never as
 * an internal error. STEDI_PROPERTY_SEED replays a run; the seed is in the test's name.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const QUERY = 'query One($serial: String!) { customer(serialNumber: $serial) { serialNumber } }';

/** JSON text of a value nested `depth` levels deep, written by hand: JSON.stringify itself overflows on it. */
function nestedJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('variables nested deeply', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(4, 1).landing });
    url = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  const post = async (variablesJson: string): Promise<{ status: number; body: { data?: { customer?: { serialNumber: string } | null }; errors?: Array<{ extensions?: { code?: string } }> } }> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` },
      body: `{"query":${JSON.stringify(QUERY)},"variables":${variablesJson}}`,
    });
    return { status: res.status, body: (await res.json()) as never };
  };

  it('answers a query whose unused variable is an array nested as deep as a body may nest, twice (the second time after the cache was asked)', async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await post(`{"serial":${JSON.stringify(serialOf(0))},"deep":${nestedJson(MAX_BODY_DEPTH - 2, 'array')}}`);
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data?.customer?.serialNumber).toBe(serialOf(0));
    }
  });

  it('refuses an unused variable nested 100,000 levels deep as BAD_USER_INPUT before parsing it (json-depth.ts: it took seconds to parse)', async () => {
    const res = await post(`{"serial":${JSON.stringify(serialOf(0))},"deep":${nestedJson(100_000, 'array')}}`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses a declared variable nested 100,000 levels deep as BAD_USER_INPUT', async () => {
    const res = await post(`{"serial":${nestedJson(100_000, 'object')}}`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it(`never answers 5xx or an internal error, whatever the nesting of the variables (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: MAX_BODY_DEPTH }), fc.integer({ min: 1, max: 50_000 })),
        fc.constantFrom('array' as const, 'object' as const),
        fc.constantFrom('serial', 'extra'),
        async (depth, kind, where) => {
          const nested = nestedJson(depth, kind);
          const variables = where === 'serial' ? `{"serial":${nested}}` : `{"serial":${JSON.stringify(serialOf(1))},"extra":${nested}}`;
          const res = await post(variables);
          const codes = (res.body.errors ?? []).map((e) => e.extensions?.code);
          if (res.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) {
            throw new Error(`depth ${depth} (${kind}, ${where}): status ${res.status}, codes ${codes.join(',')}`);
          }
          // The body's object and its variables are two levels: deeper than the bound is refused before parsing (json-depth.ts).
          if (depth + 2 > MAX_BODY_DEPTH && (res.status !== 400 || codes.join() !== 'BAD_USER_INPUT')) throw new Error(`depth ${depth} (${kind}, ${where}): not refused`);
          if (depth + 2 <= MAX_BODY_DEPTH && where === 'extra' && res.body.data?.customer?.serialNumber !== serialOf(1)) throw new Error(`depth ${depth} (${kind}): not answered`);
        },
      ),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
  }, 120_000);
});

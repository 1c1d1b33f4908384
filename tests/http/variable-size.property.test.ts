import fc from 'fast-check';
import { MAX_VARIABLE_VALUES } from '../../src/http/variable-size';
import { smallGraphqlServer } from '../helpers/small-graphql-server';

/**
 * Variables larger than any type takes (src/http/variable-size.ts): graphql-js wrote the whole value into each of its
 * errors, ~300 ms a message for 40,000 keys and four a request, and the refusal quoted the client's keys. An input
 * object of more fields than its type declares, or a value of more than MAX_VARIABLE_VALUES fields and items, is
 * refused as BAD_USER_INPUT before coercion, saying what to send and quoting none of it.
 * STEDI_PROPERTY_SEED replays a run; the seed is in the test's name.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const QUERY = 'query Q($f: CustomerFilter, $n: Int, $s: String = "none") { customers(first: $n, filter: $f) { edges { node { serialNumber } } } customer(serialNumber: $s) { serialNumber } }';

describe(`variables larger than their types take (seed ${SEED})`, () => {
  jest.setTimeout(120_000);
  const server = smallGraphqlServer();
  const post = (variables: unknown) => server.post(JSON.stringify({ query: QUERY, variables }));
  const key = fc.string({ unit: fc.constantFrom('a', '"', '\\', '@', '.', ' ', 'é', '😀'), minLength: 1, maxLength: 10 });

  it('refuses a wide object or a long list in any variable as BAD_USER_INPUT, quoting none of it, and answers the next request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('f', 'n', 's'),
        fc.oneof(fc.constant<'object'>('object'), fc.constant<'list'>('list')),
        fc.integer({ min: 4, max: 15_000 }),
        key,
        async (name, shape, width, k) => {
          // Width 4 is one field more than CustomerFilter has; a list or an object elsewhere needs more than the bound.
          const size = name === 'f' && shape === 'object' ? width : MAX_VARIABLE_VALUES + width;
          const value = shape === 'object' ? Object.fromEntries(Array.from({ length: size }, (_, i) => [`zq${i}-${k}`, `zq-value-${i}`])) : Array.from({ length: size }, (_, i) => `zq-item-${i}`);
          const res = await post({ n: 1, [name]: value });
          expect(res.status).toBe(400);
          const body = JSON.parse(res.text) as { errors: Array<{ message: string; extensions: { code: string } }> };
          expect(body.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
          expect(body.errors[0].message).toContain(`Variable "$${name}"`);
          expect(res.text).not.toContain('zq');
          const next = await post({ n: 1, f: { registeredFrom: 0 }, s: 'x' });
          expect(next.status).toBe(200);
        },
      ),
      { seed: SEED, numRuns: 25 },
    );
  });

  it('still answers variables within the bound as graphql-js does (an unknown field among the declared ones is its own refusal)', async () => {
    const ok = await post({ n: 1, f: { registeredFrom: 0, registeredTo: 1655564000000, serialNumber: 'x' }, s: 'x' });
    expect(ok.status).toBe(200);
    const unknown = await post({ n: 1, f: { registeredFrom: 0, nope: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/Field \\"nope\\" is not defined by type \\"CustomerFilter\\"/);
  });
});

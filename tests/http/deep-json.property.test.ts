import fc from 'fast-check';
import { MAX_BODY_DEPTH, requireShallowJson } from '../../src/http/json-depth';
import { smallGraphqlServer } from '../helpers/small-graphql-server';

/**
 * Request bodies nesting objects and lists deeper than any request needs (src/http/json-depth.ts): V8's JSON.parse
 * and graphql-js's coercion took seconds of the worker's main thread over 300,000 levels, and one the operation did
 * not declare was answered 200. Each is refused as BAD_USER_INPUT before it is parsed, without echoing it; brackets
 * inside strings are text and never count. STEDI_PROPERTY_SEED replays a run; the seed is in the test's name.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const QUERY = 'query Q($f: CustomerFilter, $n: Int) { customers(first: $n, filter: $f) { edges { node { serialNumber } } } }';

describe(`request bodies nesting deeper than ${MAX_BODY_DEPTH} levels (seed ${SEED})`, () => {
  jest.setTimeout(120_000);
  const { post } = smallGraphqlServer();

  // A value nested `depth` levels, each level an object under `key` or a list.
  const nested = (depth: number, levels: Array<'object' | 'list'>, key: string): string => {
    const open = Array.from({ length: depth }, (_, i) => (levels[i % levels.length] === 'object' ? `{${JSON.stringify(key)}:` : '['));
    const close = open.map((o) => (o === '[' ? ']' : '}')).reverse();
    return `${open.join('')}1${close.join('')}`;
  };
  const key = fc.string({ unit: fc.constantFrom('a', '"', '\\', '[', '{', '}', ']', '@', 'é'), minLength: 1, maxLength: 12 });
  const levels = fc.array(fc.constantFrom<'object' | 'list'>('object', 'list'), { minLength: 1, maxLength: 5 });

  it('refuses a body nesting deeper than the bound, wherever the value sits, as BAD_USER_INPUT without echoing it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_BODY_DEPTH + 1, max: 10_000 }), levels, key, fc.constantFrom('f.serialNumber', 'f', 'n', 'undeclared', 'extensions'), async (depth, shape, k, where) => {
        // The body's own object and `variables` are two levels: the value nests `depth` levels under them at least.
        const value = nested(depth, shape, `${k}-marker`);
        const variables = where === 'f.serialNumber' ? `{"f":{"serialNumber":${value}}}` : where === 'extensions' ? '{"n":1}' : `{${JSON.stringify(where)}:${value},"n":1}`;
        const extensions = where === 'extensions' ? `,"extensions":{"x":${value}}` : '';
        const res = await post(`{"query":${JSON.stringify(QUERY)},"variables":${variables}${extensions}}`);
        expect(res.status).toBe(400);
        const body = JSON.parse(res.text) as { errors: Array<{ message: string; extensions: { code: string } }> };
        expect(body.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
        expect(body.errors[0].message).toMatch(/nests deeper than 32 levels/);
        expect(res.text).not.toContain('-marker');
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it('answers a body within the bound, however many brackets its strings hold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5_000 }), key, async (brackets, k) => {
        const serial = `${'['.repeat(brackets)}${k}${'{'.repeat(brackets)}`;
        const res = await post(JSON.stringify({ query: QUERY, variables: { n: 1, f: { serialNumber: serial.slice(0, 200) } }, extensions: { a: { b: { c: [[[1]]] } } } }));
        expect(res.status).toBe(200);
        expect(JSON.parse(res.text)).toEqual({ data: { customers: { edges: [] } } });
      }),
      { seed: SEED, numRuns: 20 },
    );
  });

  it('refuses exactly the bodies a byte-by-byte reading refuses, escaped quotes and backslashes included', () => {
    // The reading requireShallowJson replaced (strings are now skipped with Buffer.indexOf): the rule it must keep.
    const deeper = (body: Buffer): boolean => {
      let depth = 0;
      let inString = false;
      for (let i = 0; i < body.length; i += 1) {
        const byte = body[i];
        if (inString) {
          if (byte === 0x5c) i += 1;
          else if (byte === 0x22) inString = false;
        } else if (byte === 0x22) inString = true;
        else if (byte === 0x7b || byte === 0x5b) {
          if ((depth += 1) > MAX_BODY_DEPTH) return true;
        } else if (byte === 0x7d || byte === 0x5d) depth -= 1;
      }
      return false;
    };
    const refuses = (body: Buffer): boolean => {
      try {
        requireShallowJson({} as never, undefined, body);
        return false;
      } catch {
        return true;
      }
    };
    const pieces = fc.constantFrom('"', '\\', '\\\\', '\\"', '[', '{', ']', '}', '[[[[[[[[', '{"a":', 'é', 'x');
    const text = fc.array(fc.constantFrom('"', '\\', '\\\\', '\\"', '\\\\"', 'é', 'x'), { maxLength: 12 }).map((parts) => parts.join(''));
    // Either anything, or brackets one past the bound after text whose quotes and backslashes decide if they are in a string.
    const body = fc.oneof(
      fc.array(pieces, { maxLength: 120 }).map((parts) => parts.join('')),
      fc.tuple(text, text).map(([before, after]) => `${before}${'['.repeat(MAX_BODY_DEPTH + 1)}${after}`),
    );
    fc.assert(
      fc.property(body, (sent) => {
        const bytes = Buffer.from(sent);
        expect(refuses(bytes)).toBe(deeper(bytes));
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});

import fc from 'fast-check';
import { moveRawJson, rawJsonToken, releaseRawJson, withRawJson, withRawJsonBytes } from '../../src/graphql/raw-json';

/**
 * An answer holding resolver-made JSON texts (a page of nested connections
 * has one per parent) is written as if each text had been a value of the
 * data: whatever the data's own strings hold, token look-alikes included.
 * Generated values are seeded; the seed is in the describe name
 * (STEDI_PROPERTY_SEED replays it).
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** A value of an answer: JSON-able text, numbers and nesting, as it reads back (-0 is written 0). */
const jsonValue = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
/** Text that may look like a token: its fixed start, with or without a counter. */
const lookAlike = fc.constantFrom('stedi-raw-json:', '"stedi-raw-json:', 'stedi-raw-json:0:1', 'stedi-raw-json:');

/** An answer's data whose leaves are either values or resolver-made texts (marked so the expected answer can be made). */
type Leaf = { raw: unknown } | { value: unknown };
const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  jsonValue.map((raw) => ({ raw })),
  fc.oneof(jsonValue, lookAlike).map((value) => ({ value })),
);

/** Builds the data object the executor would hold (tokens in place of texts) and the object the answer must parse to. */
function answerOf(context: object, leaves: Leaf[]): { data: Record<string, unknown>; expected: Record<string, unknown> } {
  const data: Record<string, unknown> = {};
  const expected: Record<string, unknown> = {};
  leaves.forEach((l, i) => {
    if ('raw' in l) {
      data[`f${i}`] = rawJsonToken(context, JSON.stringify(l.raw));
      expected[`f${i}`] = l.raw;
    } else {
      data[`f${i}`] = l.value;
      expected[`f${i}`] = l.value;
    }
  });
  return { data, expected };
}

describe(`resolver-made JSON texts in an answer (seed ${SEED})`, () => {
  it('are each written in place of their token, and nothing else of the answer changes', () => {
    fc.assert(
      fc.property(fc.array(leaf, { maxLength: 40 }), (leaves) => {
        const context = {};
        const { data, expected } = answerOf(context, leaves);
        moveRawJson(context, data);
        const json = withRawJson(data, JSON.stringify(data));
        expect(JSON.parse(json)).toEqual(expected);
        releaseRawJson(data);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('give the same bytes when written as bytes, texts given as bytes included', () => {
    fc.assert(
      fc.property(fc.array(leaf, { maxLength: 40 }), fc.boolean(), (leaves, asBytes) => {
        const context = {};
        const data: Record<string, unknown> = {};
        const expected: Record<string, unknown> = {};
        leaves.forEach((l, i) => {
          const text = 'raw' in l ? JSON.stringify(l.raw) : undefined;
          data[`f${i}`] = text === undefined ? (l as { value: unknown }).value : rawJsonToken(context, asBytes ? Buffer.from(text, 'utf8') : text);
          expected[`f${i}`] = 'raw' in l ? l.raw : l.value;
        });
        moveRawJson(context, data);
        const json = JSON.stringify(data);
        const text = withRawJson(data, json);
        const bytes = withRawJsonBytes(data, [json]);
        if (bytes) expect(Buffer.from(bytes).toString('utf8')).toBe(text);
        expect(JSON.parse(text)).toEqual(expected);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('are all written for an answer with a thousand of them, in order', () => {
    const context = {};
    const { data, expected } = answerOf(context, Array.from({ length: 1_000 }, (_, i) => ({ raw: { edges: [{ node: { n: i } }] } })));
    moveRawJson(context, data);
    expect(JSON.parse(withRawJson(data, JSON.stringify(data)))).toEqual(expected);
  });
});

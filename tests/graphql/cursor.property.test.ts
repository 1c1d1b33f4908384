import fc from 'fast-check';
import { type CursorScope, decodeCursor, encodeCursor, type KeyType } from '../../src/graphql/cursor';
import { StediError } from '../../src/errors';

/**
 * Cursors under generated input: what the API encodes decodes to the same
 * position with the same arguments and is refused with any other; anything
 * else a client can send is BAD_USER_INPUT, never another error.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const VERSION = '20261122t032200123z_a1b2';
const KEY: KeyType[] = ['string', 'integer', 'number'];

const scope = fc.record({
  field: fc.constantFrom('stepTrainerReadings', 'Customer.stepTrainerReadings'),
  parent: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  filter: fc.tuple(fc.option(fc.string({ maxLength: 10 })), fc.option(fc.integer()), fc.option(fc.integer())),
  split: fc.option(fc.constantFrom('TRAIN', 'VALIDATION', 'TEST')),
  splitSeed: fc.option(fc.string({ minLength: 1, maxLength: 20 })),
}) as fc.Arbitrary<CursorScope>;
const position = fc.tuple(fc.string({ maxLength: 40 }), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }));

const refusedAsBadInput = (run: () => unknown): boolean => {
  try {
    run();
    return false;
  } catch (error) {
    return error instanceof StediError && error.code === 'BAD_USER_INPUT';
  }
};

describe(`cursors under generated input (seed ${SEED})`, () => {
  it('round-trips every position with the arguments it was issued with', () => {
    fc.assert(
      fc.property(scope, position, (s, p) => {
        const decoded = decodeCursor(encodeCursor('StepTrainerReading', VERSION, p, s), 'StepTrainerReading', KEY, s);
        expect(decoded.position).toEqual(p.map((v) => (Object.is(v, -0) ? 0 : v)));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('refuses a cursor used with any other argument', () => {
    fc.assert(
      fc.property(scope, scope, position, (issued, used, p) => {
        const differs = JSON.stringify([issued.field, issued.parent ?? null, issued.filter, issued.split ?? null, issued.split ? issued.splitSeed : null]) !==
          JSON.stringify([used.field, used.parent ?? null, used.filter, used.split ?? null, used.split ? used.splitSeed : null]);
        fc.pre(differs);
        expect(refusedAsBadInput(() => decodeCursor(encodeCursor('StepTrainerReading', VERSION, p, issued), 'StepTrainerReading', KEY, used))).toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('answers any text, any JSON and any forged position with BAD_USER_INPUT and nothing else', () => {
    const s: CursorScope = { field: 'stepTrainerReadings', filter: [null, null, null], split: null, splitSeed: null };
    const real = JSON.parse(Buffer.from(encodeCursor('StepTrainerReading', VERSION, ['a', 1, 2], s), 'base64url').toString('utf8'));
    const text = fc.oneof(
      fc.string({ maxLength: 3_000 }),
      fc.json().map((j) => Buffer.from(j).toString('base64url')),
      fc.anything().map((v) => Buffer.from(JSON.stringify({ ...real, p: v }) ?? '').toString('base64url')),
      fc.array(fc.oneof(fc.double(), fc.bigInt().map(String), fc.string()), { maxLength: 4 }).map((p) => Buffer.from(JSON.stringify({ ...real, p })).toString('base64url')),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          decodeCursor(t, 'StepTrainerReading', KEY, s);
        } catch (error) {
          expect(error).toBeInstanceOf(StediError);
          expect((error as StediError).code).toBe('BAD_USER_INPUT');
        }
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });
});

import fc from 'fast-check';
import { DateTimeResolver } from 'graphql-scalars';
import { DateTime } from '../../src/graphql/types/scalars';
import { dateText } from '../helpers/date-text';

/**
 * The DateTime scalar writes ISO text itself; answers must read exactly as
 * graphql-scalars' DateTime (a Date, written by JSON.stringify) read.
 * Generated values are seeded; the seed is in the describe name (STEDI_PROPERTY_SEED replays it).
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const asJson = (serialize: (v: unknown) => unknown, value: unknown): string => {
  try {
    return JSON.stringify(serialize(value));
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
};
const original = (v: unknown) => DateTimeResolver.serialize(v);
const ours = (v: unknown) => DateTime.serialize(v);

describe(`the DateTime scalar (seed ${SEED})`, () => {
  it('answers Dates, epoch milliseconds and date-time strings with the same JSON as graphql-scalars, as text', () => {
    for (const value of [new Date(1_655_578_331_870), 1_655_578_331_870, 0, -1e15, '2022-06-18T18:52:11.870Z', '2022-06-18T20:52:11.87+02:00', '2022-06-18T18:52:11Z']) {
      expect(typeof ours(value)).toBe('string');
      expect(asJson(ours, value)).toBe(asJson(original, value));
    }
  });

  it('refuses what graphql-scalars refuses, with its message, and an epoch that is no time at all', () => {
    for (const value of [new Date(Number.NaN), 'not a date', {}, null, true]) expect(asJson(ours, value)).toBe(asJson(original, value));
    expect(asJson(ours, Number.NaN)).toBe('error: DateTime cannot represent an invalid Date instance');
    expect(asJson(ours, 2 ** 53)).toBe('error: DateTime cannot represent an invalid Date instance');
  });

  it('writes an epoch past the years a Date holds (landing accepts any within ±(2^53 - 1)) as Date would, with its six-digit year', () => {
    expect(ours(8.64e15 + 1)).toBe('+275760-09-13T00:00:00.001Z');
    expect(ours(Number.MAX_SAFE_INTEGER)).toBe('+287396-10-12T08:59:00.991Z');
    expect(ours(-Number.MAX_SAFE_INTEGER)).toBe('-283457-03-21T15:00:59.009Z');
    fc.assert(
      fc.property(fc.integer({ min: 8.64e15 + 1, max: Number.MAX_SAFE_INTEGER }), fc.boolean(), (far, negative) => {
        expect(ours(negative ? -far : far)).toBe(dateText(negative ? -far : far));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('agrees with graphql-scalars on every epoch millisecond a Date can hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(asJson(ours, ms)).toBe(asJson(original, ms));
        expect(asJson(ours, new Date(ms))).toBe(asJson(original, new Date(ms)));
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it('writes runs of times in order, repeated times and fractions as Date does (the kept day and last value)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -8.64e15 + 1e12, max: 8.64e15 - 1e12 }),
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 200_000_000 })), { maxLength: 50 }),
        fc.double({ min: -0.99, max: 0.99, noNaN: true }),
        (start, steps, fraction) => {
          let ms = start;
          for (const step of steps) {
            ms += step;
            expect(ours(ms)).toBe(new Date(ms).toISOString());
            expect(ours(ms + fraction)).toBe(new Date(ms + fraction).toISOString());
          }
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});

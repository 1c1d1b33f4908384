import fc from 'fast-check';
import { edgesBytes, type EdgeEntry, type EdgesSource, edgesText, type ScalarKind } from '../../src/graphql/edges-text';
import { isoText, MAX_TIME_MS, writeIsoText } from '../../src/graphql/types/iso-text';
import { dateText } from '../helpers/date-text';

/**
 * The edges' text under generated columns: the text and its bytes are what
 * JSON.stringify writes for the same rows as objects (times as Date's ISO
 * text), whatever the numbers (safe integers past 2^31 and 10^9, -0, floats),
 * times (other centuries, out-of-range years, fractions) and strings (any
 * code point); and a time's bytes are isoText's text.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

const KINDS: ScalarKind[] = ['String', 'Float', 'SafeInt', 'Int', 'DateTime', 'Boolean'];

const safeInt = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.constantFrom(0, -0, 9, 10, 999_999_999, 1_000_000_000, 1_000_000_001, 1_999_999_999_999, 2 ** 53 - 1, -(2 ** 53 - 1), 1_700_000_000_123),
  fc.integer({ min: 1, max: 9_007_199 }).map((k) => k * 1_000_000_000 - 1),
);
const valueOf: Record<ScalarKind, fc.Arbitrary<unknown>> = {
  String: fc.string({ unit: 'binary', maxLength: 12 }),
  Float: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), safeInt, fc.constantFrom(-1, 0, 1, 0.5, -0)),
  SafeInt: safeInt,
  Int: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  DateTime: fc.oneof(
    fc.integer({ min: -MAX_TIME_MS, max: MAX_TIME_MS }),
    fc.integer({ min: 1_500_000_000_000, max: 1_800_000_000_000 }),
    fc.double({ min: -MAX_TIME_MS, max: MAX_TIME_MS, noNaN: true }),
    fc.constantFrom(-62_167_219_200_001, -62_167_219_200_000, 253_402_300_799_999, 253_402_300_800_000, 0, -1, -0, 8.64e15, 8.64e15 + 1, -8.64e15 - 1),
  ),
  Boolean: fc.boolean(),
};

const page = fc.array(fc.record({ kind: fc.constantFrom(...KINDS), nullable: fc.boolean(), repeat: fc.nat(3) }), { minLength: 1, maxLength: 5 }).chain((fields) =>
  fc.record({
    fields: fc.constant(fields),
    rows: fc.array(fc.tuple(...fields.map((f) => (f.nullable ? fc.option(valueOf[f.kind], { nil: null, freq: 5 }) : valueOf[f.kind]))), { maxLength: 40 }),
  }),
);

/** What graphql-js answers for the node's fields: each value as its scalar serialises it, written by JSON.stringify. */
const serialised = (kind: ScalarKind, v: unknown): unknown => (v === null ? null : kind === 'DateTime' ? dateText(v as number) : v);

describe(`a training-set page's edges written as text and as bytes (seed ${SEED})`, () => {
  it('writes what JSON.stringify writes for the same rows as objects', () => {
    fc.assert(
      fc.property(page, ({ fields, rows }) => {
        // Rows repeat values in runs (the writer keeps the last value's bytes): each row is repeated `repeat` times.
        const repeated = rows.flatMap((row) => Array.from({ length: 1 + (fields[0]?.repeat ?? 0) }, () => row));
        const plan: EdgeEntry[] = [{ key: '"node":', node: fields.map((f, c) => ({ key: `"f${c}":`, field: `f${c}`, kind: f.kind, nonNull: !f.nullable })) }];
        const columns: Record<string, unknown[]> = {};
        const fieldColumns: Record<string, string> = {};
        fields.forEach((_f, c) => {
          columns[`col${c}`] = repeated.map((row) => row[c]);
          fieldColumns[`f${c}`] = `col${c}`;
        });
        // Odd rows shown in reverse: rows are indices into the columns.
        const shown = repeated.map((_r, i) => i).filter((i) => i % 2 === 1 || repeated.length < 4).reverse();
        const source: EdgesSource = { columns, rows: shown, fieldColumns };
        const expected = JSON.stringify(shown.map((r) => ({ node: Object.fromEntries(fields.map((f, c) => [`f${c}`, serialised(f.kind, columns[`col${c}`][r])])) })));
        // Values a scalar would change (a float that is not an integer in an Int field, a non-finite number) are not in the generated rows.
        expect(edgesText(plan, source)).toBe(expected);
        expect(edgesBytes(plan, source)?.equals(Buffer.from(expected, 'utf8'))).toBe(true);
      }),
      { seed: SEED, numRuns: 1_500 },
    );
  });

  it("writes a time's 24 bytes as isoText's text, and nothing for a year outside 0000–9999", () => {
    fc.assert(
      fc.property(valueOf.DateTime as fc.Arbitrary<number>, (ms) => {
        const bytes = new Uint8Array(30).fill(7);
        const end = writeIsoText(bytes, 3, ms);
        const text = isoText(ms);
        if (text.length === 24) {
          expect(end).toBe(27);
          expect(Buffer.from(bytes.subarray(3, 27)).toString('latin1')).toBe(text);
        } else {
          expect(end).toBe(-1);
          expect(bytes.every((b) => b === 7)).toBe(true);
        }
        expect(text).toBe(dateText(ms));
      }),
      { seed: SEED, numRuns: 3_000 },
    );
  });

  it('writes constant text (__typename, several entries) and texts far larger than its buffer as JSON.stringify does', () => {
    const plan: EdgeEntry[] = [
      { key: '"__typename":', typename: '"Edge"' },
      { key: '"node":', node: [{ key: '"__typename":', typename: 'Reading' }, { key: '"s":', field: 's', kind: 'String', nonNull: true }, { key: '"n":', field: 'n', kind: 'Float' }] },
      { key: '"again":', node: [{ key: '"n":', field: 'n', kind: 'Float' }] },
    ];
    // Strings of 100,000 to 700,000 characters, some not ASCII: each row outgrows the buffer the row before left.
    const strings = ['a'.repeat(100_000), 'é'.repeat(300_000), 'b'.repeat(700_000), 'b'.repeat(700_000)];
    const numbers = [1, null, -0, 2.5];
    const source: EdgesSource = { columns: { s: strings, n: numbers }, rows: [0, 1, 2, 3], fieldColumns: { s: 's', n: 'n' } };
    const expected = JSON.stringify(strings.map((str, r) => ({ __typename: 'Edge', node: { __typename: 'Reading', s: str, n: numbers[r] }, again: { n: numbers[r] } })));
    expect(edgesBytes(plan, source)?.equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect(edgesText(plan, source)).toBe(expected);
  });

  it('refuses a scalar it has no writer for, naming it, rather than writing code for it', () => {
    const plan: EdgeEntry[] = [{ key: '"node":', node: [{ key: '"v":', field: 'v', kind: "ID'); throw 1; ('" as ScalarKind }] }];
    const source: EdgesSource = { columns: { v: ['x'] }, rows: [0], fieldColumns: { v: 'v' } };
    expect(() => edgesText(plan, source)).toThrow(`an edges text writes String, Boolean, Float, SafeInt, Int or DateTime values, not "ID'); throw 1; ('"`);
  });
});

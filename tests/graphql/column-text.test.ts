import fc from 'fast-check';
import { type ExecutionResult, GraphQLFloat, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, type GraphQLScalarType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { COLUMN_LISTS, withWholeColumnLists } from '../../src/graphql/column-lists';
import { columnText, columnTextOf, jsonParts, keepColumnText, partsText } from '../../src/graphql/column-text';

import { SafeInt } from '../../src/graphql/types/scalars';
import { stringifyResult } from '../../src/http/response-cache';

/** The answer's JSON as the server writes it (response-cache.ts: its pieces joined). */
const jsonWithColumnTexts = (data: unknown): string | undefined => {
  const parts = jsonParts(data);
  return parts && partsText(parts);
};

/**
 * A column's text, and an answer written with its columns' texts, must be
 * exactly what JSON.stringify writes: any double (-0, the largest and
 * smallest exponents), any Unicode text (lone surrogates, quotes, control
 * characters), runs of equal values or none. Generated values are seeded;
 * the seed is in the describe name (STEDI_PROPERTY_SEED replays it).
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

const finite = 'Float';
const text = 'String';

const oddUnit = fc.oneof(
  fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udfff', '\ud83d\ude00', 'é', '/'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const anyText = fc.string({ unit: oddUnit, maxLength: 40 });
const anyDouble = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, 1e21, 1e-7, 2 ** 53, 1655584510120));

/** A column with runs: values drawn from a small pool, each repeated. */
const runsOf = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T[]> =>
  fc
    .tuple(fc.array(value, { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 50 })), { maxLength: 20 }))
    .map(([pool, runs]) => runs.flatMap(([i, n]) => Array.from({ length: n }, () => pool[i % pool.length])));

describe(`the JSON text of a column (seed ${SEED})`, () => {
  it('is what JSON.stringify writes for any finite doubles, with or without runs', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(anyDouble, { maxLength: 60 }), runsOf(anyDouble)), (values) => {
        expect(columnText(values, finite)).toBe(JSON.stringify(values));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('is what JSON.stringify writes for any Unicode text, with or without runs', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(anyText, { maxLength: 60 }), runsOf(anyText)), (values) => {
        expect(columnText(values, text)).toBe(JSON.stringify(values));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('is what JSON.stringify writes for whole numbers of the integer scalars, and none for any value out of their range', () => {
    const whole = fc.oneof(fc.integer(), fc.maxSafeInteger(), anyDouble);
    fc.assert(
      fc.property(fc.oneof(fc.array(whole, { maxLength: 30 }), runsOf(whole)), (values) => {
        const safe = values.every((v) => Number.isSafeInteger(v));
        const int32 = values.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31);
        expect(columnText(values, 'SafeInt')).toBe(safe ? JSON.stringify(values) : undefined);
        expect(columnText(values, 'Int')).toBe(int32 ? JSON.stringify(values) : undefined);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('is none when a value is not plain for its type (NaN, an infinity, null, a hole, another type)', () => {
    fc.assert(
      fc.property(
        runsOf(anyDouble),
        fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, null, undefined, '1', true, {}),
        fc.nat(),
        (values, bad, at) => {
          const column: unknown[] = [...values];
          column.splice(at % (column.length + 1), 0, bad);
          expect(columnText(column, finite)).toBeUndefined();
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
    expect(columnText(['a', 'a', 1], text)).toBeUndefined();
    expect(columnText([1, 2, 'x'], finite)).toBeUndefined();
    expect(columnText(new Array(3), finite)).toBeUndefined();
    expect(columnText([1, 2.5], 'SafeInt')).toBeUndefined();
    expect(columnText([1, 2 ** 53], 'SafeInt')).toBeUndefined();
    expect(columnText([-(2 ** 53) + 1, -0, 2 ** 53 - 1], 'SafeInt')).toBe(JSON.stringify([-(2 ** 53) + 1, -0, 2 ** 53 - 1]));
    expect(columnText([1, 2 ** 31], 'Int')).toBeUndefined();
    expect(columnText([-(2 ** 31), -0, 2 ** 31 - 1], 'Int')).toBe(JSON.stringify([-(2 ** 31), 0, 2 ** 31 - 1]));
    expect(columnText([], finite)).toBe('[]');
  });
});

describe(`an answer written with its columns' texts (seed ${SEED})`, () => {
  it('is what JSON.stringify writes for the same answer, wherever the columns sit', () => {
    const member = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined), fc.constant({ toJSON: () => 'as toJSON says' }));
    fc.assert(
      fc.property(fc.dictionary(anyText, member, { maxKeys: 4 }), runsOf(anyDouble), runsOf(anyText), anyText, anyText, (rest, numbers, serials, field, alias) => {
        keepColumnText(numbers, columnText(numbers, finite)!);
        keepColumnText(serials, columnText(serials, text)!);
        const data = { ...rest, [alias]: { rowCount: numbers.length, [field]: { x: numbers, serialNumber: serials, other: [...numbers] } } };
        expect(jsonWithColumnTexts(data)).toBe(JSON.stringify(data));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('takes the kept text of a column, and JSON.stringify for any list without one or cut since', () => {
    const column = [1, 2, 3];
    // A text that differs from the list's JSON shows which one was written (never done outside this test).
    keepColumnText(column, '[7]');
    expect(jsonWithColumnTexts({ page: { columns: { x: column, y: [1, 2, 3] } } })).toBe('{"page":{"columns":{"x":[7],"y":[1,2,3]}}}');
    expect(jsonWithColumnTexts({ page: { columns: { toJSON: () => ({ x: column }) } } })).toBe('{"page":{"columns":{"x":[1,2,3]}}}');
    column.length = 2;
    expect(jsonWithColumnTexts({ page: { columns: { x: column } } })).toBe('{"page":{"columns":{"x":[1,2]}}}');
  });
});

describe(`a columnar page through the compiled executor and the answer's writer (seed ${SEED})`, () => {
  it('writes the JSON Apollo would write, with every column taken from its text', () => {
    let page: Record<string, unknown[]> = {};
    const list = (item: GraphQLScalarType) => ({ type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(item)))});
    const Columns = new GraphQLObjectType({
      name: 'Columns',
      extensions: { [COLUMN_LISTS]: true },
      fields: { serialNumber: list(GraphQLString), sensorReadingTime: list(SafeInt), x: list(GraphQLFloat) },
    });
    const Batch = new GraphQLObjectType({ name: 'Batch', fields: { rowCount: { type: GraphQLInt }, columns: { type: Columns } } });
    const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { batch: { type: Batch, resolve: () => ({ rowCount: page.x.length, columns: page }) } } }) });
    const compiled = compileQuery(withWholeColumnLists(schema), parse('{ page: batch { rowCount columns { serialNumber sensorReadingTime x } } }'));
    if (!isCompiledQuery(compiled)) throw new Error('did not compile');
    fc.assert(
      fc.property(runsOf(fc.tuple(anyText, fc.maxSafeInteger(), anyDouble)), (rows) => {
        page = { serialNumber: rows.map((r) => r[0]), sensorReadingTime: rows.map((r) => r[1]), x: rows.map((r) => r[2]) };
        const result = compiled.query(undefined, {}, {}) as ExecutionResult<{ page: { columns: Record<string, unknown[]> } }>;
        expect(result.errors).toBeUndefined();
        for (const values of Object.values(result.data!.page.columns)) expect(columnTextOf(values)).toBe(JSON.stringify(values));
        expect(stringifyResult(result)).toBe(`${JSON.stringify(result)}\n`);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

import fc from 'fast-check';
import { execute, GraphQLFloat, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, printSchema, type GraphQLOutputType } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { COLUMN_LISTS, withWholeColumnLists } from '../../src/graphql/column-lists';
import { SafeInt } from '../../src/graphql/types/scalars';

/**
 * Columns completed whole by the executor must answer exactly as graphql-js
 * answers the typed lists. Generated values are seeded; the seed is in the describe name.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const column = (item: GraphQLOutputType) => ({ type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(item))) });

function schemaServing(data: () => Record<string, unknown[]>): GraphQLSchema {
  const Columns = new GraphQLObjectType({
    name: 'Columns',
    extensions: { [COLUMN_LISTS]: true },
    fields: { s: column(GraphQLString), f: column(GraphQLFloat), i: column(SafeInt), loose: { type: new GraphQLList(GraphQLFloat) } },
  });
  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { page: { type: Columns, resolve: data } } }) });
}

const DOCUMENT = parse('{ page { s f i loose } }');

function bothWays(data: Record<string, unknown[]>): { js: unknown; jit: unknown } {
  const schema = schemaServing(() => data);
  const compiled = compileQuery(withWholeColumnLists(schema), DOCUMENT);
  if (!isCompiledQuery(compiled)) throw new Error('did not compile');
  const js = JSON.parse(JSON.stringify(execute({ schema, document: DOCUMENT })));
  const jit = JSON.parse(JSON.stringify(compiled.query(undefined, {}, {})));
  return { js, jit };
}

describe(`columns completed whole (seed ${SEED})`, () => {
  it('leaves the schema clients see with its typed lists, and only columns of a marked type change', () => {
    const schema = schemaServing(() => ({}));
    const executed = withWholeColumnLists(schema);
    expect(printSchema(schema)).toContain('f: [Float!]!');
    expect(String(executed.getType('Query') && (executed.getType('Columns') as GraphQLObjectType).getFields().f.type)).toBe('FloatColumnList!');
    expect(String((executed.getType('Columns') as GraphQLObjectType).getFields().loose.type)).toBe('[Float]');
  });

  it('answers columns of valid values with the JSON graphql-js writes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.maxSafeInteger()), { maxLength: 30 }), (rows) => {
        const { js, jit } = bothWays({ s: rows.map((r) => r[0]), f: rows.map((r) => r[1]), i: rows.map((r) => r[2]), loose: rows.map((r) => r[1]) });
        expect(jit).toEqual(js);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('coerces an item the quick check refuses as the item scalar does, and refuses a null item or a value no scalar takes', () => {
    expect(bothWays({ s: ['a', 7 as unknown as string], f: [1.5, '2.5', true], i: [1, 2], loose: [] }).jit).toEqual({ data: { page: { s: ['a', '7'], f: [1.5, 2.5, 1], i: [1, 2], loose: [] } } });
    for (const bad of [{ f: [1, null] }, { f: [1, 'not a number'] }, { i: [2 ** 60] }]) {
      const { js, jit } = bothWays({ s: [], f: [], i: [], loose: [], ...bad });
      expect(js).toMatchObject({ data: { page: null }, errors: [expect.anything()] });
      expect(jit).toMatchObject({ data: { page: null }, errors: [expect.anything()] });
    }
  });
});

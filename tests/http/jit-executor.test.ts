import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { parse, GraphQLError, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import * as jit from 'graphql-jit';
import { CompiledQueries, worthCompiling } from '../../src/http/compiled-queries';
import { jitGateway } from '../../src/http/jit-executor';

jest.mock('graphql-jit', () => {
  const actual = jest.requireActual<typeof import('graphql-jit')>('graphql-jit');
  return { ...actual, compileQuery: jest.fn(actual.compileQuery) };
});
const compileQuery = jit.compileQuery as jest.MockedFunction<typeof jit.compileQuery>;

/**
 * Apollo running operations through graphql-jit: the answers graphql-js gives
 * (including a connection's lazy, function-valued totalCount), errors that
 * keep their code, and each document compiled once within a bounded cache.
 */

type Row = { id: number; name: string };
const ROWS: Row[] = [
  { id: 1, name: 'a' },
  { id: 2, name: 'b' },
];

function testSchema(): GraphQLSchema {
  const Row = new GraphQLObjectType({ name: 'Row', fields: { id: { type: new GraphQLNonNull(GraphQLInt) }, name: { type: GraphQLString } } });
  const RowConnection = new GraphQLObjectType({
    name: 'RowConnection',
    fields: { nodes: { type: new GraphQLList(Row) }, totalCount: { type: GraphQLInt } },
  });
  const Query = new GraphQLObjectType({
    name: 'Query',
    fields: {
      rows: {
        type: RowConnection,
        args: { first: { type: GraphQLInt } },
        resolve: (_root, { first }: { first?: number }) => ({ nodes: ROWS.slice(0, first ?? ROWS.length), totalCount: async () => ROWS.length }),
      },
      broken: {
        type: GraphQLString,
        resolve: () => {
          throw new Error('disk on fire');
        },
      },
      forbidden: {
        type: GraphQLString,
        resolve: () => {
          throw new GraphQLError('not for you', { extensions: { code: 'FORBIDDEN' } });
        },
      },
    },
  });
  return new GraphQLSchema({ query: Query });
}

async function runOnce(server: ApolloServer, query: string, variables?: Record<string, unknown>, operationName?: string) {
  const response = await server.executeOperation({ query, variables, operationName });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

/** Runs a document twice: first on graphql-js, then compiled; both answers must be the same. */
async function run(server: ApolloServer, query: string, variables?: Record<string, unknown>, operationName?: string) {
  const first = await runOnce(server, query, variables, operationName);
  const compiled = await runOnce(server, query, variables, operationName);
  expect(compiled).toEqual(first);
  return compiled;
}

describe('executing GraphQL operations with graphql-jit', () => {
  let server: ApolloServer;
  beforeAll(async () => {
    // As in apollo.ts: these default plugins would wrap every resolver in the schema (and hide graphql-jit's own handling).
    const plugins = [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled()];
    server = new ApolloServer({ gateway: jitGateway(testSchema(), { cacheBytes: 1e9, maxFields: 200 }), plugins, includeStacktraceInErrorResponses: false });
    await server.start();
  });
  afterAll(() => server.stop());
  beforeEach(() => compileQuery.mockClear());

  it('answers a page with its rows and calls the lazy totalCount as graphql-js does', async () => {
    const result = await run(server, 'query Page($n: Int) { rows(first: $n) { totalCount nodes { id name } } }', { n: 1 });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ rows: { totalCount: 2, nodes: [{ id: 1, name: 'a' }] } });
  });

  it('refuses an operationName the document does not hold, as a client error naming it (an IDE tab can send a stale one)', async () => {
    const result = await run(server, 'query Page { rows { totalCount } }', undefined, 'Other');
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toBe('Unknown operation named "Other".');
    expect(result.errors![0]!.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
  });

  it('returns partial data with an error that keeps its code, path and location', async () => {
    const result = await run(server, '{ rows { totalCount }\n forbidden }');
    expect(result.data).toEqual({ rows: { totalCount: 2 }, forbidden: null });
    expect(result.errors).toEqual([{ message: 'not for you', path: ['forbidden'], locations: [{ line: 2, column: 2 }], extensions: { code: 'FORBIDDEN' } }]);
  });

  it.each([
    ['an Int above 2^31', { n: 2147483648 }, /Int cannot represent non 32-bit signed integer value/],
    ['a string for an Int', { n: '2' }, /Int cannot represent non-integer value/],
    ['an object for an Int', { n: { $gt: 0 } }, /Int cannot represent non-integer value/],
  ])('answers %s as BAD_USER_INPUT with graphql-js\'s message, compiled or not', async (_what, variables, message) => {
    const result = await run(server, 'query Page($n: Int) { rows(first: $n) { totalCount } }', variables);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(message), extensions: { code: 'BAD_USER_INPUT' } })]);
  });

  it('reports an error without a code as INTERNAL_SERVER_ERROR with its path', async () => {
    const result = await run(server, '{ broken }');
    expect(result.data).toEqual({ broken: null });
    expect(result.errors).toEqual([{ message: 'disk on fire', path: ['broken'], locations: [{ line: 1, column: 3 }], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  });

  it('compiles a document the second time it comes, and once while it stays in the cache', async () => {
    const [a, b] = ['{ rows { totalCount } }', '{ rows { nodes { id } } }'];
    await runOnce(server, a);
    expect(compileQuery).not.toHaveBeenCalled(); // a document sent once runs on graphql-js
    for (const query of [a, a, b, a, b, b]) await runOnce(server, query);
    expect(compileQuery).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['answers errors', () => ({ errors: [new GraphQLError('cannot compile')] })],
    ['throws', () => {
      throw new Error('cannot compile');
    }],
  ])('runs a document through graphql-js when graphql-jit %s instead of compiling it', async (_how, refusal) => {
    compileQuery.mockImplementationOnce(refusal);
    const result = await run(server, `{ rows(first: 2) { nodes { id } } } # ${_how}`);
    expect(compileQuery).toHaveBeenCalledTimes(1);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ rows: { nodes: [{ id: 1 }, { id: 2 }] } });
  });
});

describe('what graphql-jit may compile and keep', () => {
  it('keeps compiled documents within its byte budget, dropping the least recently used first', () => {
    const schema = testSchema();
    const cache = new CompiledQueries(schema, 40_000);
    const docs = Array.from({ length: 40 }, (_, i) => `{ r${i}: rows(first: ${i}) { totalCount nodes { id name } } }`);
    for (const doc of docs) {
      expect(cache.get(parse(doc), doc, null)).toBeNull(); // seen once: not compiled
      expect(cache.get(parse(doc), doc, null)).not.toBeNull();
      expect(cache.bytes).toBeLessThanOrEqual(40_000);
    }
    expect(cache.bytes).toBeGreaterThan(0);
    compileQuery.mockClear();
    cache.get(parse(docs[39]), docs[39], null);
    expect(compileQuery).not.toHaveBeenCalled(); // the most recent is still there
    cache.get(parse(docs[0]), docs[0], null);
    cache.get(parse(docs[0]), docs[0], null);
    expect(compileQuery).toHaveBeenCalledTimes(1); // the oldest was dropped
  });

  it('keeps nothing with a budget of 0 bytes, yet still runs the compiled document', () => {
    const cache = new CompiledQueries(testSchema(), 0);
    cache.get(parse('{ rows { totalCount } }'), '{ rows { totalCount } }', null);
    expect(cache.get(parse('{ rows { totalCount } }'), '{ rows { totalCount } }', null)).not.toBeNull();
    expect(cache.bytes).toBe(0);
  });

  it.each([
    ['an introspection field', '{ __schema { types { name } } }', 10, false],
    ['__typename alone', '{ rows { __typename totalCount } }', 10, true],
    ['more fields than allowed', '{ rows { totalCount nodes { id name } } }', 3, false],
    ['as many fields as allowed', '{ rows { totalCount nodes { id name } } }', 5, true],
    ['fragments expanded past the limit', 'query { ...A ...A } fragment A on Query { rows { nodes { id name } } }', 5, false],
    ['a mutation', 'mutation { x }', 10, false],
  ])('compiles a document with %s: %s', (_what, doc, maxFields, expected) => {
    expect(worthCompiling(parse(doc), undefined, maxFields)).toBe(expected);
  });
});

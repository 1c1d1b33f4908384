import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import fc from 'fast-check';
import { execute, GraphQLBoolean, GraphQLFloat, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { createSnapshot } from '../../src/consent/consent-snapshot';
import { toColumnConnection, toConnection, visibleNodes, visibleRows } from '../../src/graphql/connection';
import type { CursorScope } from '../../src/graphql/cursor';
import { machineLearningDataset } from '../../src/graphql/datasets/machine-learning.dataset';
import * as edgesTextModule from '../../src/graphql/edges-text';
import { RENDERED_EDGES, rendersEdges } from '../../src/graphql/rendered-edges';
import { DateTime, SafeInt } from '../../src/graphql/types/scalars';
import { jitGateway } from '../../src/http/jit-executor';
import { stringifyResult } from '../../src/http/response-cache';
import type { Logger } from '../../src/logger';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

// Its exports as plain properties, so jest.spyOn can replace them: swc compiles a module's exports to read-only getters.
jest.mock('../../src/graphql/edges-text', () => ({ __esModule: true, ...jest.requireActual<object>('../../src/graphql/edges-text') }));

/**
 * A page's edges written as JSON text from its columns must be the very text
 * graphql-js answers (values, nulls, errors, key order, aliases), and
 * anything the text does not write must be answered the usual way.
 * Generated values are seeded; the seed is in the describe name.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

type Row = { s: unknown; f: unknown; i: unknown; t: unknown; n: unknown; b: unknown };

function testSchema(rows: () => Row[], asColumns: boolean): GraphQLSchema {
  const Node = new GraphQLObjectType({
    name: 'Node',
    fields: {
      s: { type: new GraphQLNonNull(GraphQLString) },
      f: { type: new GraphQLNonNull(GraphQLFloat) },
      i: { type: new GraphQLNonNull(SafeInt) },
      t: { type: new GraphQLNonNull(DateTime) },
      n: { type: GraphQLFloat },
      b: { type: new GraphQLNonNull(GraphQLBoolean) },
    },
  });
  const Edge = new GraphQLObjectType({ name: 'NodeEdge', fields: { cursor: { type: GraphQLString, resolve: () => 'c' }, node: { type: new GraphQLNonNull(Node) } } });
  const Connection = new GraphQLObjectType({
    name: 'NodeConnection',
    extensions: { [RENDERED_EDGES]: true },
    fields: {
      edges: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Edge))) },
      nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(Node))) },
      count: { type: GraphQLFloat },
    },
  });
  const page = () => {
    const all = rows();
    const names = ['s', 'f', 'i', 't', 'n', 'b'] as const;
    // Rows 1..: row 0 is left out (a page starts anywhere in its columns).
    const columns = Object.fromEntries(names.map((k) => [`col_${k}`, all.map((r) => r[k])]));
    const edgesSource = { columns, rows: all.map((_r, i) => i).slice(1), fieldColumns: Object.fromEntries(names.map((k) => [k, `col_${k}`])) };
    return { edges: all.slice(1).map((node) => ({ node })), nodes: all.slice(1), count: all.length, ...(asColumns ? { edgesSource } : {}) };
  };
  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { page: { type: Connection, resolve: page } } }) });
}

async function answers(rows: Row[], document: string, asColumns: boolean): Promise<{ js: string; served: string[] }> {
  const schema = testSchema(() => rows, asColumns);
  const js = JSON.stringify(await execute({ schema, document: parse(document) }));
  const plugins = [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled()];
  const server = new ApolloServer({ gateway: jitGateway(schema, { cacheBytes: 1e9, maxFields: 200 }), plugins, includeStacktraceInErrorResponses: false, stringifyResult });
  await server.start();
  const served: string[] = [];
  // The first use runs on graphql-js, the next ones compiled (the text written by the executor).
  for (let use = 0; use < 3; use += 1) {
    const response = await server.executeOperation({ query: document });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    const { data, errors } = response.body.singleResult;
    served.push(stringifyResult({ data, ...(errors ? { errors: errors.map((e) => ({ message: e.message, locations: e.locations, path: e.path })) } : {}) }).trimEnd());
  }
  await server.stop();
  return { js, served };
}

const plainRow = (k: number): Row => ({ s: `serial-${k}`, f: k / 4, i: 1_655_564_156_985 + k, t: 1_655_564_156_985 + 1000 * k, n: k % 2 ? null : -k, b: k % 3 === 0 });
const DOCUMENT = '{ page { count edges { node { s f i t n b } } } }';
/** The same rows as `nodes` (PostGraphile's shorthand): written as text too, each row the node itself. */
const NODES_DOCUMENT = '{ page { count nodes { s f i t n b } } }';

describe(`a page's edges written as JSON text (seed ${SEED})`, () => {
  it('answers the text graphql-js answers, from columns and from nodes, once compiled', async () => {
    const rows = Array.from({ length: 50 }, (_r, k) => plainRow(k));
    for (const asColumns of [true, false]) {
      const { js, served } = await answers(rows, DOCUMENT, asColumns);
      expect(served).toEqual([js, js, js]);
    }
  });

  it('writes nodes as text too, the text graphql-js answers, from columns and from nodes', async () => {
    const rows = Array.from({ length: 50 }, (_r, k) => plainRow(k));
    const written = jest.spyOn(edgesTextModule, 'edgesText');
    try {
      for (const asColumns of [true, false]) {
        const { js, served } = await answers(rows, NODES_DOCUMENT, asColumns);
        expect(served).toEqual([js, js, js]);
      }
      // Once per compiled answer (the first of each is graphql-js's own).
      expect(written).toHaveBeenCalledTimes(4);
    } finally {
      written.mockRestore();
    }
    const document = '{ page { nodes { __typename t s: s } a: nodes { b } nodes { f } edges { node { s } } } }';
    const { js, served } = await answers(rows.slice(0, 4), document, true);
    expect(served[2]).toBe(js);
    expect(JSON.parse(js).data.page.nodes[0]).toEqual({ __typename: 'Node', t: '2022-06-18T14:55:57.985Z', s: 'serial-1', f: 0.25 });
  });

  it('keeps aliases, repeated and merged fields, __typename and key order', async () => {
    const rows = Array.from({ length: 5 }, (_r, k) => plainRow(k));
    const document = '{ page { edges { __typename e: node { t s: s __typename } node { b } } edges { e: node { f s } } } }';
    const { js, served } = await answers(rows, document, true);
    expect(served[2]).toBe(js);
    expect(JSON.parse(js).data.page.edges[0]).toEqual({ __typename: 'NodeEdge', e: { t: '2022-06-18T14:55:57.985Z', s: 'serial-1', __typename: 'Node', f: 0.25 }, node: { b: false } });
  });

  it('answers any values as graphql-js does: odd numbers, nulls, unicode and control characters, times out of range', async () => {
    const odd = fc.oneof(
      fc.constantFrom<unknown>(-0, 2 ** 53, -(2 ** 53), 8.64e15, -8.64e15 - 1, NaN, Infinity, -Infinity, null, undefined, true, '\ud800', 'a\u2028"\\\u0000', 1e21, 5e-324, 2 ** 31),
      fc.double(),
      fc.string({ unit: 'binary' }),
    );
    // Values each field's scalar writes as they are, and at most one odd value (then graphql-js answers, or the text agrees).
    const row = fc.record({
      s: fc.oneof(fc.string(), fc.string({ unit: 'binary' })),
      f: fc.double({ noNaN: true, noDefaultInfinity: true }),
      i: fc.maxSafeInteger(),
      t: fc.integer({ min: -8.64e15, max: 8.64e15 }),
      n: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
      b: fc.boolean(),
    });
    const oddCell = fc.option(fc.record({ row: fc.nat(), field: fc.constantFrom('s', 'f', 'i', 't', 'n', 'b'), value: odd }));
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 2, maxLength: 6 }), oddCell, fc.boolean(), async (rows, cell, asColumns) => {
        if (cell) (rows[cell.row % rows.length] as Record<string, unknown>)[cell.field] = cell.value;
        const { js, served } = await answers(rows as Row[], cell && cell.row % 2 ? NODES_DOCUMENT : DOCUMENT, asColumns);
        expect(JSON.parse(served[2])).toEqual(JSON.parse(js));
        if (!JSON.parse(js).errors) expect(served[2]).toBe(js);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('writes only documents whose every edges selects plain scalars of the node', () => {
    const schema = testSchema(() => [], true);
    expect(rendersEdges(schema, parse(DOCUMENT))).toBe(true);
    expect(rendersEdges(schema, parse('{ page { edges { node { s } } } a: page { edges { node { f } } } }'))).toBe(true);
    expect(rendersEdges(schema, parse(NODES_DOCUMENT))).toBe(true);
    for (const document of [
      '{ page { edges { cursor node { s } } } }',
      '{ page { edges { node { s @include(if: true) } } } }',
      '{ page { edges { node { ... on Node { s } } } } }',
      '{ page { edges { node { ...F } } } } fragment F on Node { s }',
      '{ page { edges { node { s } } } b: page { edges { cursor } } }',
      '{ page { ... on NodeConnection { edges { node @skip(if: false) { s } } } } }',
      '{ page { nodes { s @include(if: true) } } }',
      '{ page { nodes { ... on Node { s } } } }',
      '{ page { edges { node { s } } nodes @skip(if: false) { s } } }',
    ]) {
      expect(rendersEdges(schema, parse(document))).toBe(false);
    }
  });
});

describe('a bulk page kept as columns', () => {
  const scope: CursorScope = { field: 'machineLearningSamples', filter: [null, null, null], split: null, splitSeed: null };
  const rows = [1, 2, 3, 4].map((i) => ({ serialNumber: `s${i}`, sensorReadingTime: 1000 + i, distanceFromObject: i, x: i / 2, y: -i, z: 0 }));
  const result = { rowCount: 4, columns: Object.fromEntries(Object.keys(rows[0]).map((k) => [k, rows.map((r) => r[k as keyof (typeof rows)[0]])])) };

  it('shows the rows, nodes and cursors the same page of nodes shows, and logs rows consent hides', () => {
    const consent = createSnapshot(7, new Set(['s2']), new Set(), new Map());
    const warn = jest.fn();
    const logger = { warn } as unknown as Logger;
    const ds = machineLearningDataset;
    const shown = visibleRows(ds, result, ds.fieldColumns!, 'v1', consent, logger);
    expect(shown).toEqual([0, 2, 3]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ dropped: 1, generation: 7 }), expect.any(String));
    const count = async () => 3;
    const fromColumns = toColumnConnection(ds, scope, result, ds.fieldColumns!, shown, 'v1', 2, { totalCount: count, hadMore: true, afterCursor: false });
    const fromNodes = toConnection(ds, scope, visibleNodes(ds, rows, 'v1', consent, logger), 2, true, count, false, 'v1');
    expect(fromColumns.edges.map((e) => [e.node, e.cursor])).toEqual(fromNodes.edges.map((e) => [e.node, e.cursor]));
    expect({ ...fromColumns.pageInfo }).toEqual({ ...fromNodes.pageInfo });
    expect(fromColumns.edgesSource?.rows).toEqual([0, 2]);
  });

  it('keeps exactly the rows whose serial and email consent leaves visible, whatever the runs of repeated serials', () => {
    const serial = fc.constantFrom('s1', 's2', 's3', null);
    const email = fc.constantFrom('a@x', 'b@x', null, undefined);
    fc.assert(
      fc.property(fc.array(fc.tuple(serial, email), { maxLength: 30 }), fc.subarray(['s1', 's2', 's3']), fc.subarray(['a@x', 'b@x']), (pairs, hiddenSerials, hiddenEmails) => {
        const consent = createSnapshot(1, new Set(hiddenSerials), new Set(hiddenEmails), new Map());
        const page = { rowCount: pairs.length, columns: { serialNumber: pairs.map(([s]) => s), email: pairs.map(([, e]) => e) } };
        const shown = visibleRows(machineLearningDataset, page, { serialNumber: 'serialNumber', email: 'email' }, 'v1', consent, { warn: () => undefined } as unknown as Logger);
        const expected = pairs.flatMap(([s, e], i) => (hiddenSerials.includes(s as string) || (e != null && hiddenEmails.includes(e)) ? [] : [i]));
        expect(shown).toEqual(expected);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('training-set pages written as text, through HTTP', () => {
  let t: TestApp;
  // 30 customers (24 consenting) × 100 rows: pages of 1,001 rows are read as columns.
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(30, 100).landing });
  });
  afterAll(() => t.close());

  it('answers each page with the text graphql-js gives, split or not', async () => {
    const fields = 'serialNumber sensorReadingTime distanceFromObject x y z sensorReadingTimeIso';
    const document = `query S($first: Int, $after: String, $split: Split) { machineLearningSamples(first: $first, after: $after, split: $split) {
      edges { node { ${fields} } } pageInfo { hasNextPage endCursor } } }`;
    for (const split of [null, 'TRAIN']) {
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const variables = { first: 1_000, after, split };
        // A new text (a comment) is a first use: graphql-js answers it; the repeated text is compiled.
        const reference = await t.graphql(`${document} # page ${split} ${pages}`, ANALYST_KEY, variables);
        const compiled = [await t.graphql(document, ANALYST_KEY, variables), await t.graphql(document, ANALYST_KEY, variables)];
        expect(reference.status).toBe(200);
        expect(reference.body.errors).toBeUndefined();
        for (const res of compiled) expect(res.text).toBe(reference.text);
        pages += 1;
        const info = reference.body.data.machineLearningSamples.pageInfo;
        if (!info.hasNextPage) break;
        after = info.endCursor;
      }
      expect(pages).toBeGreaterThan(1);
    }
  });

  it('leaves out an edges selection that @skip or @include leaves out, once compiled too', async () => {
    const documents = [
      'query P($a: Boolean!, $first: Int) { machineLearningSamples(first: $first) { edges @include(if: $a) { node { serialNumber } } edges { node { x } } } }',
      'query P($a: Boolean!, $first: Int) { machineLearningSamples(first: $first) { edges @skip(if: $a) { node { y } } edges { node { x } } } }',
      'query P($a: Boolean!, $first: Int) { machineLearningSamples(first: $first) { ... @include(if: $a) { edges { node { z } } } edges { node { x } } } }',
      'query P($a: Boolean!, $first: Int) { machineLearningSamples(first: $first) { ...Z @skip(if: $a) edges { node { x } } } } fragment Z on MachineLearningSampleConnection { edges { __typename } }',
      'query P($first: Int) { machineLearningSamples(first: $first) { edges @include(if: false) { node { serialNumber } } edges { node { x } } } }',
      'query P($a: Boolean!, $first: Int) { machineLearningSamples(first: $first) @include(if: $a) { edges { node { y } } } machineLearningSamples(first: $first) { edges { node { x } } } }',
    ];
    for (const document of documents) {
      const a = !document.includes('include(if: $a)');
      // Each use asks a page of another size: the response cache cannot answer it, and the third use runs compiled.
      for (const first of [10, 11, 12]) {
        const res = await t.graphql(document, ANALYST_KEY, { a, first });
        expect(res.body.errors).toBeUndefined();
        const edges = res.body.data.machineLearningSamples.edges as Array<Record<string, unknown>>;
        expect(edges).toHaveLength(first);
        for (const edge of edges) expect(edge).toEqual({ node: { x: expect.any(Number) } });
      }
    }
  });
});

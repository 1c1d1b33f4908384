import { getIntrospectionQuery, graphqlSync, parse, SchemaMetaFieldDef, type OperationDefinitionNode } from 'graphql';
import { IntrospectionAnswers } from '../../src/http/introspection-answers';
import { stringifyResult } from '../../src/http/kept-answer-text';
import { ADMIN_KEY, ANALYST_KEY, buildTestApp, sharedSchema, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/**
 * Introspection-only queries: each `__schema` field's JSON is kept by its text and written into the answer, which is
 * the answer graphql-js gives, for every role; a changed selection gets its own; anything else runs on graphql-js.
 */

const DOCUMENTS = [
  '{ __type(name: "Query") { name } __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }',
  '{ __schema { queryType { name } } }',
  '{ a: __schema { queryType { name } } b: __typename c: __type(name: "Query") { name kind fields(includeDeprecated: true) { name } } }',
  '{ __schema { types { ... on __Type { name kind } } directives { name args { name defaultValue } } } }',
  '{ __schema { types { name @include(if: false) kind } } }',
  '{ __schema @skip(if: true) { types { name } } __typename }',
  '{ __schema { queryType { name } } __schema { mutationType { name } } }',
  'query Q { __schema { mutationType { name fields { name args { name type { name } } } } } }',
  'query Q($t: Boolean!) { __schema { types { name @include(if: $t) } } }',
  'fragment T on __Type { name } { __schema { types { ...T } } }',
  'query Ide { __schema { queryType { ...T } } } fragment T on __Type { name fields { name } }',
  'query Ide { __schema { queryType { ...T } } } fragment T on __Type { kind }',
  '{ __type(name: "Customer") { ...T } } fragment T on __Type { name fields { name type { ...R } } } fragment R on __Type { name kind ofType { name } }',
  '{ ...Root } fragment Root on Query { __schema { queryType { name } } }',
  // A response key `__proto__` set on a plain object sets its prototype: the field was left out of the answer.
  '{ __proto__: __typename a: __type(name: "Query") { name } }',
  '{ __proto__: __schema { queryType { name } } }',
  getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }),
];

const expected = async (query: string, variables?: Record<string, unknown>): Promise<string> =>
  `${JSON.stringify(graphqlSync({ schema: await sharedSchema(), source: query, variableValues: variables }))}\n`;

describe('introspection answers kept per schema (HTTP app)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers each introspection document as graphql-js does, first and again, for either role', async () => {
    for (const query of DOCUMENTS) {
      const variables = query.includes('$t') ? { t: true } : undefined;
      for (const key of [ANALYST_KEY, ADMIN_KEY, ANALYST_KEY]) {
        const res = await t.graphql(query, key, variables);
        expect({ query, status: res.status, text: res.text }).toEqual({ query, status: 200, text: await expected(query, variables) });
      }
    }
  });

  it('makes the IDE\'s introspection once however often it comes', async () => {
    // Not among DOCUMENTS, so not kept by the test before.
    const query = getIntrospectionQuery({ descriptions: false });
    const answer = await expected(query);
    const resolve = jest.spyOn(SchemaMetaFieldDef, 'resolve');
    for (let i = 0; i < 3; i += 1) expect((await t.graphql(query, ANALYST_KEY)).text).toBe(answer);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('makes a `__schema` selection once however many documents ask for it beside other fields', async () => {
    const selection = '__schema { queryType { name } subscriptionType { name } }';
    const queries = [0, 1, 2].map((i) => `{ __type(name: "Query${'x'.repeat(i)}") { name } s${i}: ${selection} }`);
    const answers = await Promise.all(queries.map((query) => expected(query)));
    const resolve = jest.spyOn(SchemaMetaFieldDef, 'resolve');
    for (const [i, query] of queries.entries()) expect((await t.graphql(query, ANALYST_KEY)).text).toBe(answers[i]);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('never answers a changed selection with the text kept for another', async () => {
    for (const field of ['queryType', 'mutationType', 'queryType', 'mutationType']) {
      const query = `{ __schema { ${field} { name } } }`;
      expect((await t.graphql(query, ANALYST_KEY)).text).toBe(await expected(query));
    }
  });
});

describe('introspection answers kept per schema (the cache)', () => {
  const operationOf = (query: string) => {
    const document = parse(query);
    return { document, operation: document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition') };
  };

  it('answers only queries of introspection root fields, without variables or directives at the root', async () => {
    const answers = new IntrospectionAnswers(await sharedSchema());
    for (const query of ['{ __schema { queryType { name } } customers(first: 1) { totalCount } }', DOCUMENTS[5]!, DOCUMENTS[6]!, DOCUMENTS[8]!, DOCUMENTS[13]!, 'mutation { __typename }', 'query A { __typename } query B { __typename }']) {
      const { document, operation } = operationOf(query);
      expect({ query, answered: answers.answer(document, operation, {}) }).toEqual({ query, answered: undefined });
    }
    const { document, operation } = operationOf(DOCUMENTS[0]!);
    expect(answers.answer(document, operation, undefined)).toBeUndefined();
  });

  it('keeps one text per selection, within its byte budget, and writes it into each answer', async () => {
    const schema = await sharedSchema();
    const answers = new IntrospectionAnswers(schema, 16 * 1024);
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 16; i += 1) {
        const query = `{ __schema { types { name f${i}: fields { name } } } }`;
        const { document, operation } = operationOf(query);
        const context = {};
        expect(stringifyResult(answers.answer(document, operation, context)!)).toBe(await expected(query));
      }
    }
    expect(answers.bytes).toBeLessThanOrEqual(16 * 1024);
    expect(answers.bytes).toBeGreaterThan(0);
    const { document, operation } = operationOf(DOCUMENTS[1]!);
    answers.answer(document, operation, {});
    const before = answers.hits;
    answers.answer(document, operation, {});
    expect(answers.hits).toBe(before + 1);
  });
});

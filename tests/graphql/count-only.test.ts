import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { Engine } from '../../etl/engine/engine';
import { asksOnlyTotalCount } from '../../src/graphql/count-only';
import { parse, Kind, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { countingEngine, type CountingEngine } from '../helpers/counting-engine';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * A connection asked for its totalCount alone is answered without reading its
 * page; anything that needs the page (edges, pageInfo, a directive the check
 * does not weigh) still reads it, and every answer is the one the page path
 * gives. Generated selections are seeded; the seed is in the describe name
 * (STEDI_PROPERTY_SEED replays it).
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CUSTOMERS = 12;
const READINGS = 3;

/** Each field, and a selection of its rows (which needs its page). */
const FIELDS = [
  { field: 'machineLearningSamples', type: 'MachineLearningSampleConnection', rows: 'edges { node { serialNumber } }' },
  { field: 'stepTrainerReadings', type: 'StepTrainerReadingConnection', rows: 'edges { node { sensorReadingTime } }' },
  { field: 'customers', type: 'CustomerConnection', rows: 'edges { node { serialNumber } }' },
  // Not a connection, but counted as its sibling machineLearningSamples is.
  { field: 'machineLearningBatch', type: 'MachineLearningBatch', rows: 'columns { serialNumber }' },
];

/** One piece of a connection's selection, and whether it needs the page. */
interface Piece {
  text: string;
  needsPage: boolean;
  counts: boolean;
  fragments: string[];
}

const leaf = (rows: string): fc.Arbitrary<Piece> =>
  fc.constantFrom(
    { text: 'totalCount', needsPage: false, counts: true, fragments: [] },
    { text: 'n: totalCount', needsPage: false, counts: true, fragments: [] },
    { text: '__typename', needsPage: false, counts: false, fragments: [] },
    { text: 'pageInfo { hasNextPage }', needsPage: true, counts: false, fragments: [] },
    { text: rows, needsPage: true, counts: false, fragments: [] },
    { text: 'totalCount @include(if: true)', needsPage: true, counts: true, fragments: [] },
  );

/** A selection made of leaves, some inside inline or named fragments (named ones defined once each, numbered by `id`). */
function selection(type: string, rows: string): fc.Arbitrary<Piece> {
  const { piece } = fc.letrec<{ piece: Piece }>((tie) => ({
    piece: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf(rows),
      fc.array(tie('piece'), { minLength: 1, maxLength: 3 }).map(join),
      tie('piece').map((inner) => ({ ...inner, text: `... on ${type} { ${inner.text} }` })),
      // Named by its text: the same fragment twice is one definition.
      tie('piece').map((inner) => ({ ...inner, text: `...F${nameOf(inner.text)}`, fragments: [...inner.fragments, `fragment F${nameOf(inner.text)} on ${type} { ${inner.text} }`] })),
    ),
  }));
  return piece;
}

const nameOf = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

const join = (pieces: Piece[]): Piece => ({
  text: pieces.map((p) => p.text).join(' '),
  needsPage: pieces.some((p) => p.needsPage),
  counts: pieces.some((p) => p.counts),
  fragments: pieces.flatMap((p) => p.fragments),
});

describe(`a connection asked for its totalCount alone (seed ${SEED})`, () => {
  let t: TestApp;
  let counting: CountingEngine;
  /** Each field's rows, counted on its page (not by totalCount). */
  const rows = new Map<string, number>();
  beforeAll(async () => {
    t = await buildTestApp({
      landing: writeManyCustomersLanding(CUSTOMERS, READINGS).landing,
      // Each totalCount selection is priced as a scan (README, cost limit): ten under one key would be refused for cost,
      // which this property is not about. A token price keeps every generated document within the limit.
      // Batch pages read from the engine (not from text prepared beside the version), so their reads are seen.
      config: { queryCacheRows: 0, batchText: false, limits: { totalCountCost: 1 } },
      wrapEngine: (engine: Engine) => {
        counting = countingEngine(engine);
        // A batch page's columnar read is a page read too.
        counting.engine.queryColumns = (sql, params, options) => {
          counting.queries.push(sql);
          return engine.queryColumns!(sql, params, options);
        };
        return counting.engine;
      },
    });
    for (const { field } of FIELDS) {
      const batch = field === 'machineLearningBatch';
      const res = await t.graphql(`{ c: ${field}(first: 1000) { ${batch ? 'rowCount' : 'edges { cursor }'} pageInfo { hasNextPage } } }`, ANALYST_KEY);
      expect(res.body.data.c.pageInfo.hasNextPage).toBe(false);
      rows.set(field, batch ? res.body.data.c.rowCount : res.body.data.c.edges.length);
    }
    expect(Math.min(...rows.values())).toBeGreaterThan(5);
  });
  afterAll(() => t.close());

  /** The answer to `document`, and the engine queries it sent other than counts. */
  async function ask(document: string): Promise<{ body: { data?: Record<string, unknown>; errors?: unknown[] }; reads: string[] }> {
    const before = counting.queries.length;
    const res = await t.graphql(document, ANALYST_KEY);
    return { body: res.body, reads: counting.queries.slice(before).filter((sql) => !sql.startsWith('SELECT count(*)')) };
  }

  it('reads no page for totalCount alone, and the page whenever anything else is asked, with the same answers', async () => {
    const cases = fc.constantFrom(...FIELDS).chain((f) => fc.record({ f: fc.constant(f), pieces: fc.array(selection(f.type, f.rows), { minLength: 1, maxLength: 2 }) }));
    await fc.assert(
      fc.asyncProperty(cases, async ({ f, pieces }) => {
        // Every piece under one response key: the executor merges them into one field.
        const asked = join(pieces);
        const fields = pieces.map((p) => `c: ${f.field}(first: 5) { ${p.text} }`).join(' ');
        const document = `{ ${fields} } ${[...new Set(asked.fragments)].join(' ')}`;
        // Asked three times: graphql-js answers first, the compiled executor after (STEDI_JIT_MIN_USES).
        for (let round = 0; round < 3; round += 1) {
          const { body, reads } = await ask(document);
          expect(body.errors).toBeUndefined();
          const answer = body.data!.c as Record<string, unknown>;
          if (asked.counts) expect(answer.totalCount ?? answer.n).toBe(rows.get(f.field));
          if ('edges' in answer) expect((answer.edges as unknown[]).length).toBe(5);
          if ('columns' in answer) expect((answer.columns as { serialNumber: unknown[] }).serialNumber.length).toBe(5);
          if ('pageInfo' in answer) expect(answer.pageInfo).toEqual({ hasNextPage: true });
          if (!asked.needsPage && asked.counts) expect(reads).toEqual([]);
          if (asked.needsPage) expect(reads.length).toBeGreaterThan(0);
        }
      }),
      { seed: SEED, numRuns: 40 },
    ).catch((error: unknown) => {
      throw new Error(`count-only property failed with seed ${SEED} (STEDI_PROPERTY_SEED=${SEED} to replay): ${String(error)}`);
    });
  });

  it.each(['machineLearningSamples', 'machineLearningBatch'])('still checks the arguments of a count asked alone (%s)', async (field) => {
    const { body } = await ask(`{ ${field}(first: 0) { totalCount } }`);
    expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    const cursor = await ask(`{ ${field}(after: "not-a-cursor") { totalCount } }`);
    expect(cursor.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  });
});

describe('asksOnlyTotalCount', () => {
  const infoOf = (document: string): { fieldNodes: FieldNode[]; fragments: Record<string, FragmentDefinitionNode> } => {
    const doc = parse(document);
    const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    return { fieldNodes: operation.selectionSet.selections as FieldNode[], fragments };
  };

  it.each([
    ['{ c { totalCount } }', true],
    ['{ c { __typename totalCount ... on C { n: totalCount } } }', true],
    ['{ c { ...F } } fragment F on C { totalCount }', true],
    ['{ c { __typename } }', false],
    ['{ c { totalCount pageInfo { hasNextPage } } }', false],
    ['{ c { totalCount ...F } } fragment F on C { edges { cursor } }', false],
    ['{ c { totalCount @skip(if: true) edges { cursor } } }', false],
    ['{ c { ...F } } fragment F on C @unknown { totalCount }', false],
    ['{ c { ...Missing } }', false],
  ])('%s: %s', (document, expected) => {
    expect(asksOnlyTotalCount(infoOf(document))).toBe(expected);
  });

  it('reads the page when the executor gives no field nodes or fragments to check', () => {
    expect(asksOnlyTotalCount({})).toBe(false);
    expect(asksOnlyTotalCount({ fieldNodes: infoOf('{ c { ...F } } fragment F on C { totalCount }').fieldNodes })).toBe(false);
  });
});

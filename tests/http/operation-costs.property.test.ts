import fc from 'fast-check';
import { getOperationAST, type GraphQLSchema, parse } from 'graphql';
import { loadConfig } from '../../src/config';
import { type CostEstimate, estimateCost } from '../../src/http/cost-estimate';
import { costVariables, OperationCosts } from '../../src/http/operation-costs';
import { sharedSchema } from '../helpers/http-app';

/**
 * A kept cost estimate is the estimate: for generated variables (valid, null,
 * absent, wrong types, out of range) on documents that repeat, the cache
 * answers exactly what a fresh estimate answers, refusals included.
 * STEDI_PROPERTY_SEED replays a run; the seed is in the test's name.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const limits = loadConfig({}, {}).limits;

const DOCUMENTS = [
  'query A($n: Int, $m: Int) { customers(first: $n) { totalCount edges { node { stepTrainerReadings(first: $m) { edges { node { sensorReadingTime } } } } } } }',
  'query B($c: Boolean!, $n: Int) { customers(first: $n) { totalCount @include(if: $c) } machineLearningSamples(first: 3) @skip(if: $c) { totalCount } }',
  'query C($s: String!, $n: Int = 7) { customer(serialNumber: $s) { stepTrainerReadings(first: $n) { totalCount edges { node { sensorReadingTime } } } } }',
  'query D($n: Int, $c: Boolean = true) { ...F } fragment F on Query { customers(first: $n) { edges { node { serialNumber } } totalCount @skip(if: $c) } }',
  'query E1($n: Int) { customers(first: $n) { totalCount } } query E2($m: Int, $s: String) { accelerometerReadings(first: $m, after: $s) { edges { node { x } } } }',
].map((text) => parse(text));

// Mostly values that coerce (so estimates are kept and hit), and some that do not.
const value = fc.oneof(
  { arbitrary: fc.constantFrom(2, 1_000), weight: 8 },
  { arbitrary: fc.boolean(), weight: 4 },
  { arbitrary: fc.constant(null), weight: 2 },
  { arbitrary: fc.constantFrom('s1', 's2'), weight: 2 },
  { arbitrary: fc.constant(-1), weight: 1 },
  { arbitrary: fc.constantFrom(2_147_483_648, 1e300), weight: 1 },
  { arbitrary: fc.array(fc.integer(), { maxLength: 2 }), weight: 1 },
);
const variables = fc.record({ n: value, m: value, c: value, s: value }, { requiredKeys: [] });
const request = fc.record({ document: fc.nat(DOCUMENTS.length - 1), operation: fc.constantFrom('A', 'B', 'C', 'D', 'E1', 'E2'), variables });

type Outcome = { estimate: CostEstimate } | { refused: string };
const outcome = (run: () => CostEstimate): Outcome => {
  try {
    return { estimate: run() };
  } catch (error) {
    return { refused: (error as Error).message };
  }
};

describe('cost estimates kept by document and variables', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await sharedSchema();
  });

  it('reads only the variables of cost arguments and directives by value', () => {
    expect([...costVariables(DOCUMENTS[0])].sort()).toEqual(['m', 'n']);
    expect([...costVariables(DOCUMENTS[1])].sort()).toEqual(['c', 'n']);
    expect([...costVariables(DOCUMENTS[4])].sort()).toEqual(['m', 'n']);
  });

  it(`answers exactly what a fresh estimate answers, refusals included (seed ${SEED})`, () => {
    const costs = new OperationCosts<CostEstimate>();
    let hits = 0;
    fc.assert(
      fc.property(request, ({ document: index, operation: name, variables: vars }) => {
        const document = DOCUMENTS[index];
        const operation = getOperationAST(document, name) ?? getOperationAST(document);
        if (!operation) return;
        const operationName = operation.name?.value;
        const fresh = () => estimateCost(limits, { schema, query: document, variables: vars, operationName });
        const expected = outcome(fresh);
        // Asked twice: the second answer comes from the cache whenever the first was kept.
        for (let ask = 0; ask < 2; ask += 1) {
          let called = false;
          const kept = outcome(() => costs.get(schema, document, operation, vars, () => ((called = true), fresh())));
          if (!called) hits += 1;
          expect(kept).toEqual(expected);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
    // About a quarter of the generated cases coerce and are kept: the property is about those. At 300 runs, seeds 1-300
    // gave 76.6 hits on average, sd 10.5, fewest 50 (30 was 4.5 sd below); at 400 runs 30 is some 6 sd below.
    expect(hits).toBeGreaterThan(30);
  });
});

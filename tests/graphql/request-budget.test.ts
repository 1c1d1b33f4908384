import type { Engine, QueryOptions } from '../../etl/engine/engine';
import { QueryTimeoutError } from '../../etl/engine/engine-errors';
import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { ANALYST, errorCodes, runGraphql } from '../helpers/run-graphql';

/**
 * What one request may spend: distinct uncached counts, engine time; and
 * what a client gets when part of a request fails: the rest of the answer.
 */

interface Slow {
  /** SQL matching this is delayed until its timeout, then fails as the engine's timeout does. */
  match: RegExp | null;
  timeouts: number[];
}

function slowEngine(inner: Engine, slow: Slow): Engine {
  const engine = Object.create(inner) as Engine;
  engine.query = async (sql: string, values?: unknown[], options: QueryOptions = {}) => {
    slow.timeouts.push(options.timeoutMs ?? Infinity);
    if (slow.match?.test(sql)) {
      await new Promise((resolve) => setTimeout(resolve, options.timeoutMs));
      throw new QueryTimeoutError(options.timeoutMs ?? 0);
    }
    return inner.query(sql, values as never, options);
  };
  return engine;
}

describe('the per-request budget', () => {
  let lake: TestLake;
  const slow: Slow = { match: null, timeouts: [] };
  beforeAll(async () => {
    lake = await buildTestLake({
      landing: writeManyCustomersLanding(12, 3).landing,
      config: { queryCacheRows: 0, queryTimeoutMs: 30_000, limits: { maxCountsPerRequest: 2, requestEngineMs: 1_500 } },
      wrapEngine: (engine) => slowEngine(engine, slow),
    });
    // The first request loads the consent snapshot and warms the engine; the budgets below are for ordinary requests.
    await runGraphql(lake.services, ANALYST, '{ lake { liveVersion } }');
  });
  afterAll(() => lake.close());
  afterEach(() => {
    slow.match = null;
    slow.timeouts.length = 0;
  });

  const threeCounts = '{ a: stepTrainerReadings(first: 1, filter: { from: 100000000001 }) { totalCount edges { node { serialNumber } } } b: stepTrainerReadings(first: 1, filter: { from: 100000000002 }) { totalCount } c: stepTrainerReadings(first: 1, filter: { from: 100000000003 }) { totalCount } }';

  it('answers the counts within the limit and refuses the one above it with BAD_USER_INPUT, keeping the rest of the answer', async () => {
    const result = await runGraphql(lake.services, ANALYST, threeCounts);
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0].message).toMatch(/at most 2 totalCount scans/);
    const counts = ['a', 'b', 'c'].map((k) => result.data![k].totalCount);
    expect(counts.filter((c) => c === null)).toHaveLength(1);
    expect(counts.filter((c) => typeof c === 'number' && c > 0)).toHaveLength(2);
    expect(result.data!.a.edges).toHaveLength(1);
    // The refused count is not cached, the others are: the same request again needs one new count, within the limit.
    expect(errorCodes(await runGraphql(lake.services, ANALYST, threeCounts))).toEqual([]);
  });

  it('caps every engine query at what is left of the request budget, not the per-query timeout', async () => {
    await runGraphql(lake.services, ANALYST, '{ customers(first: 2) { edges { node { stepTrainerReadings(first: 1) { edges { node { sensorReadingTime } } } } } } }');
    expect(slow.timeouts.length).toBeGreaterThan(1);
    for (const ms of slow.timeouts) expect(ms).toBeLessThanOrEqual(1_500);
  });

  it('answers QUERY_TIMEOUT for a field whose query outlasts the request budget, next to the data already read', async () => {
    slow.match = /count\(/i;
    const result = await runGraphql(lake.services, ANALYST, '{ customers(first: 2) { totalCount edges { node { serialNumber } } } }');
    expect(errorCodes(result)).toEqual(['QUERY_TIMEOUT']);
    expect(result.status).toBe(200);
    expect(result.data!.customers.totalCount).toBeNull();
    expect(result.data!.customers.edges).toHaveLength(2);
    slow.match = /customer_curated/;
    const nested = await runGraphql(lake.services, ANALYST, '{ customers(first: 2) { edges { node { serialNumber } } } stepTrainerReadings(first: 1) { edges { node { sensorReadingTime } } } }');
    expect(errorCodes(nested)).toEqual(['QUERY_TIMEOUT']);
    expect(nested.data!.customers).toBeNull();
    expect(nested.data!.stepTrainerReadings.edges).toHaveLength(1);
  });
});

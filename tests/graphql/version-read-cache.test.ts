import type { Engine } from '../../etl/engine/engine';
import { entryBytes, VersionReadCache } from '../../src/graphql/version-read-cache';
import { countingEngine, type CountingEngine } from '../helpers/counting-engine';
import { writeManyCustomersLanding } from '../helpers/many-customers-landing';
import { ANALYST, queryData } from '../helpers/run-graphql';
import { buildTestLake, type TestLake } from '../helpers/test-lake';

describe('the read cache of a version', () => {
  let lake: TestLake;
  let counting: CountingEngine;
  beforeAll(async () => {
    lake = await buildTestLake({
      landing: writeManyCustomersLanding(20, 3).landing,
      wrapEngine: (engine: Engine) => {
        counting = countingEngine(engine);
        return counting.engine;
      },
    });
    await lake.services.consent.snapshot();
  });
  afterAll(() => lake.close());

  const customerWithReadings = (serial: string): string =>
    `{ customer(serialNumber: "${serial}") { serialNumber stepTrainerReadings(first: 30) { edges { node { sensorReadingTime distanceFromObject } } } } }`;

  it('answers a repeated small query without the engine, with the same data', async () => {
    const serial = (await queryData(lake.services, ANALYST, '{ customers(first: 1) { edges { node { serialNumber } } } }')).customers.edges[0].node.serialNumber;
    const before = counting.queries.length;
    const first = await queryData(lake.services, ANALYST, customerWithReadings(serial));
    const afterFirst = counting.queries.length;
    const second = await queryData(lake.services, ANALYST, customerWithReadings(serial));
    expect(afterFirst - before).toBeGreaterThan(0);
    expect(counting.queries.length).toBe(afterFirst);
    expect(second).toEqual(first);
    expect(first.customer.stepTrainerReadings.edges.length).toBeGreaterThan(0);
  });

  it('shares one engine query between identical reads in flight, and keeps no more rows than its bound', async () => {
    const engine = { query: jest.fn(async () => [{ a: 1 }, { a: 2 }]) } as unknown as Engine;
    const cache = new VersionReadCache(engine, 3);
    const [a, b] = await Promise.all([cache.query('SELECT x', [1]), cache.query('SELECT x', [1])]);
    expect(a).toBe(b);
    expect(engine.query).toHaveBeenCalledTimes(1);
    await cache.query('SELECT y', [1]);
    expect(cache.size).toMatchObject({ entries: 1, rows: 2 });
    await cache.query('SELECT x', [1]);
    expect(engine.query).toHaveBeenCalledTimes(3);
  });

  it("reads the most recent reads of one version again on another, with the same values, and keeps their results", async () => {
    const engine = { query: jest.fn(async (sql: string, params: unknown[]) => [{ sql, params }]) } as unknown as Engine;
    const cache = new VersionReadCache(engine, 100);
    await cache.query('SELECT 1 FROM "v_old"."t" WHERE s NOT IN (?)', ['hidden']);
    await cache.query('SELECT 2 FROM "v_other"."t"', []);
    await cache.query('SELECT 3 FROM "v_old"."t"', [3]);
    await cache.query('SELECT 4 FROM "v_old"."t"', [4]);
    const recent = cache.recentReads('old', 2);
    expect(recent).toEqual([
      { sql: 'SELECT 4 FROM "v_old"."t"', params: [4] },
      { sql: 'SELECT 3 FROM "v_old"."t"', params: [3] },
    ]);
    expect(await cache.warm('old', 'new', recent)).toBe(2);
    expect((engine.query as jest.Mock).mock.calls.slice(4)).toEqual([
      ['SELECT 4 FROM "v_new"."t"', [4], {}],
      ['SELECT 3 FROM "v_new"."t"', [3], {}],
    ]);
    const calls = (engine.query as jest.Mock).mock.calls.length;
    expect(await cache.query('SELECT 3 FROM "v_new"."t"', [3])).toEqual([{ sql: 'SELECT 3 FROM "v_new"."t"', params: [3] }]);
    expect(engine.query).toHaveBeenCalledTimes(calls);
    // Only reads naming the version it warms from, and none when the cache is off.
    expect(cache.recentReads('nowhere', 8)).toEqual([]);
    expect(await cache.warm('other', 'new', recent)).toBe(0);
    expect(await new VersionReadCache(engine, 0).warm('old', 'new', recent)).toBe(0);
  });

  it('keeps a nested page of 100 customers with 10 readings each (1,100 rows), but not a bulk page', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ i }));
    const engine = { query: jest.fn(async (sql: string) => rows(sql === 'nested' ? 1_100 : 5_001)) } as unknown as Engine;
    const cache = new VersionReadCache(engine, 200_000);
    for (const sql of ['nested', 'nested', 'bulk', 'bulk']) await cache.query(sql, []);
    expect(engine.query).toHaveBeenCalledTimes(3);
    expect(cache.size).toMatchObject({ entries: 1, rows: 1_100 });
  });

  it('stays within its byte bound under many one-row results with long keys (a new split seed each time)', async () => {
    const engine = { query: jest.fn(async () => [{ serialNumber: 'a'.repeat(36), count: 1 }]) } as unknown as Engine;
    const maxBytes = 64 * 1024;
    const cache = new VersionReadCache(engine, 200_000, 2_000, maxBytes);
    const sql = `SELECT count(*) FROM t WHERE ${'x = ? AND '.repeat(40)}true`;
    for (let i = 0; i < 500; i += 1) {
      await cache.query(sql, [`seed-${i}-${'s'.repeat(150)}`]);
      expect(cache.size.bytes).toBeLessThanOrEqual(maxBytes);
    }
    const perEntry = entryBytes(`${sql}\u0000${JSON.stringify(['seed-499-' + 's'.repeat(150)])}`, [{ serialNumber: 'a'.repeat(36), count: 1 }]);
    // Full up to its bound (far below its row bound), and each entry's estimate counts its key.
    expect(cache.size.entries).toBe(Math.floor(maxBytes / perEntry));
    expect(perEntry).toBeGreaterThan(2 * sql.length);
    // The most recent result is still kept.
    await cache.query(sql, [`seed-499-${'s'.repeat(150)}`]);
    expect(engine.query).toHaveBeenCalledTimes(500);
  });

  it('is off when its size is 0', async () => {
    const engine = { query: jest.fn(async () => [{ a: 1 }]) } as unknown as Engine;
    const cache = new VersionReadCache(engine, 0);
    await cache.query('SELECT x', []);
    await cache.query('SELECT x', []);
    expect(engine.query).toHaveBeenCalledTimes(2);
  });
});

import fc from 'fast-check';
import { DuckDbEngine } from '../../../../etl/engine/duckdb/duckdb-engine';
import { MAX_HELD_ROWS, mayHold } from '../../../../etl/engine/duckdb/held-tables';
import type { HeldPageRequest } from '../../../../etl/engine/engine';
import { BUILT_TABLES } from '../../../../etl/tables';
import { customerDataset } from '../../../../src/graphql/datasets/customer.dataset';
import { stepTrainerDataset } from '../../../../src/graphql/datasets/step-trainer.dataset';
import { lookupQuery, nestedPageQuery } from '../../../../src/graphql/page-query';
import { buildLake } from '../../../helpers/etl-lake';
import { makeTempDir, stepTrainerRecord, writeLanding } from '../../../helpers/landing-fixture';
import { serialOf, writeManyCustomersLanding } from '../../../helpers/many-customers-landing';

/**
 * One device's page from the engine's in-memory copy (Engine.heldPage) is
 * the page the SQL path answers: the same rows in the same order, consent
 * exclusions, time range, keyset position and limit applied alike, on
 * generated requests over a lake with uneven readings per device.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const T0 = 1_655_000_000_000;
const CUSTOMERS = 8;

describe(`one device's page held in memory (seed ${SEED})`, () => {
  let engine: DuckDbEngine;
  let version: string;
  const serials = Array.from({ length: CUSTOMERS }, (_, i) => serialOf(i));
  beforeAll(async () => {
    const fixture = writeManyCustomersLanding(CUSTOMERS, (i) => (i * 3) % 7);
    // Uneven times and distances, so the keyset's later columns decide the order.
    writeLanding(fixture.landing, 'step_trainer', Array.from({ length: 9 }, (_, r) => stepTrainerRecord(serialOf(1), T0 + 500 + r * 333, 300 - r * 7)), 'extra.json');
    const lake = makeTempDir();
    version = (await buildLake(fixture.landing, lake)).version;
    engine = await DuckDbEngine.open({ lake, landing: fixture.landing, connections: 2 });
  });
  afterAll(() => engine.close());

  const scopeOf = <N extends { serialNumber: string; version: string }>(dataset: typeof stepTrainerDataset | typeof customerDataset, exclusions: string[], from?: number, to?: number) =>
    ({ engine, dataset, version, filter: { from, to }, exclusions, split: { train: 80, validation: 10 } }) as never as Parameters<typeof nestedPageQuery<N>>[0];

  it('answers the step trainer page of one device exactly as SQL does', async () => {
    // Bounds and positions on the stored values themselves (and one off), where a wrong comparison shows.
    const rows = await engine.query(`SELECT "sensorReadingTime" AS t, "distanceFromObject" AS d FROM ${await engine.tableRef('step_trainer_trusted', version)}`);
    const near = (values: number[]) => fc.tuple(fc.constantFrom(...values), fc.constantFrom(-1, 0, 0, 1)).map(([v, off]) => v + off);
    const times = rows.map((r) => Number(r.t));
    const time = fc.option(fc.oneof(near(times), fc.integer({ min: T0 - 2_000, max: T0 + 8_000 })), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...serials, 'no-such-serial'),
        fc.subarray(serials),
        time,
        time,
        fc.option(fc.tuple(near(times), near(rows.map((r) => Number(r.d)))), { nil: undefined }),
        fc.integer({ min: 1, max: 12 }),
        async (serial, exclusions, from, to, position, limit) => {
          const after = position ? [serial, ...position] : undefined;
          const query = await nestedPageQuery(scopeOf(stepTrainerDataset, exclusions, from, to), [serial], after, limit);
          const expected = await engine.query(query.sql, query.params);
          const range = from !== undefined || to !== undefined ? { column: 'sensorReadingTime', from, to } : undefined;
          const request: HeldPageRequest = { table: 'step_trainer_trusted', version, serial, exclusions, range, after, limit };
          expect(await engine.heldPage(request)).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('answers a customer by serialNumber exactly as SQL does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...serials, 'no-such-serial'), fc.subarray(serials), async (serial, exclusions) => {
        const query = await lookupQuery(scopeOf(customerDataset, exclusions), [serial]);
        const expected = await engine.query(query.sql, query.params);
        const held = await engine.heldPage({ table: 'customer_curated', version, serial, exclusions, limit: Number.MAX_SAFE_INTEGER });
        expect(held).toEqual(expected);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('leaves a position of another device, and large or other tables, to SQL', async () => {
    expect(await engine.heldPage({ table: 'step_trainer_trusted', version, serial: serialOf(0), exclusions: [], after: [serialOf(1), T0, 1], limit: 5 })).toBeUndefined();
    expect(mayHold('step_trainer_trusted', MAX_HELD_ROWS)).toBe(true);
    expect(mayHold('step_trainer_trusted', MAX_HELD_ROWS + 1)).toBe(false);
    for (const table of BUILT_TABLES.filter((t) => t !== 'step_trainer_trusted' && t !== 'customer_curated')) expect(mayHold(table, 1)).toBe(false);
  });
});

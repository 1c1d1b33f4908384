import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { SHARED_CHECK_SUBQUERIES, checksFor } from '../../../../etl/checks';
import { SharedCheckTables } from '../../../../etl/engine/duckdb/shared-check-tables';

/**
 * A DuckDB build computes the subqueries several checks repeat once, as tables (shared-check-tables.ts): every
 * check reading them counts exactly the violations its own text counts, on generated landings and zones where
 * customers share devices in other UUID spellings, withdraw, repeat records and fall into doubt.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const EMAILS = ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com'];
const DEVICES = ['50f7b4f3-7af5-4b07-a421-7b902c8d2b7c', '0b6c3a1e-2d4f-4e5a-9b8c-7d6e5f4a3b2c', '9d1e2f3a-4b5c-4d6e-8f70-1a2b3c4d5e6f'];
const spellings = (uuid: string): string[] => [uuid, uuid.toUpperCase(), `{${uuid}}`, `urn:uuid:${uuid}`, uuid.replaceAll('-', ''), `${uuid}\u00a0`];
const SERIALS = DEVICES.flatMap(spellings);
const ZONES = ['customer_trusted', 'customer_curated', 'accelerometer_trusted', 'step_trainer_trusted', 'machine_learning_curated'];
const readsShared = (sql: string): boolean => SHARED_CHECK_SUBQUERIES.some((s) => sql.includes(s.sql));
const sharing = checksFor('as-of').filter((c) => readsShared(c.sql));

const literal = (value: string | number | null): string => (value === null ? 'NULL' : typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`);
const values = (rows: Array<Array<string | number | null>>): string => rows.map((r) => `(${r.map(literal).join(', ')})`).join(', ');

const landingRow = fc.tuple(
  fc.constantFrom(...EMAILS),
  fc.constantFrom(...SERIALS),
  fc.integer({ min: 1, max: 4 }).map((d) => 1_655_000_000_000 + d * 1_000),
  fc.option(fc.constant(1_655_000_000_000), { nil: null }),
);
const zoneRow = fc.tuple(fc.constantFrom(...EMAILS), fc.constantFrom(...SERIALS, 'serial-no-one-wrote'), fc.option(fc.constant(1_655_000_000_000), { nil: null }));

describe(`the checks' shared subqueries computed once per build (seed ${SEED})`, () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    connection = await instance.connect();
  });
  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  it('reads every shared subquery from its table in the device and consent checks', () => {
    expect(sharing.map((c) => c.name)).toEqual(expect.arrayContaining(['accelerometer_trusted_device_consented', 'customer_trusted_consented']));
  });

  it('counts the violations each check counts as written, making the tables once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(landingRow, { minLength: 1, maxLength: 8 }), fc.subarray(EMAILS), fc.array(zoneRow, { maxLength: 6 }), async (landing, uncertain, zone) => {
        await connection.run(`
          CREATE OR REPLACE TABLE customer_landing ("email" VARCHAR, "serialNumber" VARCHAR, "lastUpdateDate" BIGINT, "shareWithResearchAsOfDate" BIGINT);
          INSERT INTO customer_landing VALUES ${values(landing)};
          CREATE OR REPLACE TABLE consent_uncertain ("email" VARCHAR);
          ${uncertain.length > 0 ? `INSERT INTO consent_uncertain VALUES ${values(uncertain.map((e) => [e]))};` : ''}`);
        for (const table of ZONES) {
          const columns = `"email" VARCHAR, "user" VARCHAR, "serialNumber" VARCHAR, "shareWithResearchAsOfDate" BIGINT`;
          await connection.run(`CREATE OR REPLACE TABLE ${table} (${columns})`);
          if (zone.length > 0) await connection.run(`INSERT INTO ${table} VALUES ${values(zone.map(([e, s, d]) => [e, e, s, d]))}`);
        }
        const made: string[] = [];
        const shared = new SharedCheckTables(async (sql) => {
          made.push(sql);
          await connection.run(sql);
        });
        for (const check of sharing) {
          const rewritten = await shared.rewrite(check.sql);
          for (const { sql } of SHARED_CHECK_SUBQUERIES) expect(rewritten).not.toContain(sql);
          const count = async (sql: string) => Number((await connection.runAndReadAll(sql)).getRows()[0][0]);
          expect([check.name, await count(rewritten)]).toEqual([check.name, await count(check.sql)]);
        }
        expect(made).toHaveLength(SHARED_CHECK_SUBQUERIES.length);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('makes the tables again for the next check when making them failed', async () => {
    let failures = 1;
    const shared = new SharedCheckTables(async (sql) => {
      if (failures-- > 0) throw new Error('Out of Memory Error: could not allocate block');
      await connection.run(sql);
    });
    const check = sharing[0].sql;
    await expect(shared.rewrite(check)).rejects.toThrow(/Out of Memory/);
    await expect(shared.rewrite(check)).resolves.not.toContain(SHARED_CHECK_SUBQUERIES[0].sql);
  });

  it('leaves a check without a shared subquery as it is, making nothing', async () => {
    const shared = new SharedCheckTables(() => Promise.reject(new Error('nothing to make')));
    const plain = checksFor('as-of').find((c) => !readsShared(c.sql))!.sql;
    await expect(shared.rewrite(plain)).resolves.toBe(plain);
  });
});

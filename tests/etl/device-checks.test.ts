import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { checksFor } from '../../etl/checks';
import { DEFAULT_CONSENT_POLICY } from '../../etl/consent-policy';

/**
 * The post-build device checks (etl/checks.ts) on hand-made tables: a trusted row whose serial names a device a
 * withholding customer names too, in any text form of the same UUID, or a serial no landing customer wrote, is a
 * violation; a consenting customer's own device is not.
 */

const ALICE = '50f7b4f3-7af5-4b07-a421-7b902c8d2b7c';
const BOB = '0b6c3a1e-2d4f-4e5a-9b8c-7d6e5f4a3b2c';

describe('the device checks run after a build', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await connection.run(`
      CREATE TABLE customer_landing ("email" VARCHAR, "serialNumber" VARCHAR, "lastUpdateDate" BIGINT, "shareWithResearchAsOfDate" BIGINT);
      CREATE TABLE consent_uncertain ("email" VARCHAR);
      INSERT INTO customer_landing VALUES
        ('alice@example.com', '${ALICE}', 1655564000000, 1655564000000),
        ('bob@example.com', '${BOB}', 1655564000000, 1655564000000),
        ('mallory@example.com', 'urn:uuid:{${ALICE.toUpperCase().replaceAll('-', '')}}', 1655564000000, NULL);
      CREATE TABLE rows_of (table_name VARCHAR, "serialNumber" VARCHAR);
      INSERT INTO rows_of VALUES ('clean', '${BOB}'), ('alice', '${ALICE}'), ('unknown', 'serial-no-one-wrote');`);
  });
  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  const violations = async (rows: string): Promise<number[]> => {
    const found: number[] = [];
    for (const check of checksFor(DEFAULT_CONSENT_POLICY).filter((c) => c.name.endsWith('_device_consented'))) {
      const table = check.name.replace(/_device_consented$/, '');
      await connection.run(`CREATE OR REPLACE TABLE ${table} AS SELECT "serialNumber" FROM rows_of WHERE table_name = '${rows}'`);
      found.push(Number((await connection.runAndReadAll(check.sql)).getRows()[0][0]));
    }
    return found;
  };

  it('passes a consenting customer’s own device in every trusted and curated table', async () => {
    expect(await violations('clean')).toEqual([0, 0, 0]);
  });

  it('counts a row of a device a withholding customer names as the same UUID in another text form', async () => {
    expect(await violations('alice')).toEqual([1, 1, 1]);
  });

  it('counts a row whose serial no landing customer wrote', async () => {
    expect(await violations('unknown')).toEqual([1, 1, 1]);
  });
});

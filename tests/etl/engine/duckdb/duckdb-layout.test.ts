import { DuckDBInstance } from '@duckdb/node-api';
import { ROW_GROUP_ROWS } from '../../../../etl/engine/duckdb/sorted-copy';
import { BUILT_TABLES, storageOrder, TABLES } from '../../../../etl/tables';
import type { VersionManifest } from '../../../../etl/manifest';
import { accelerometerDataset } from '../../../../src/graphql/datasets/accelerometer.dataset';
import { customerDataset } from '../../../../src/graphql/datasets/customer.dataset';
import { machineLearningDataset } from '../../../../src/graphql/datasets/machine-learning.dataset';
import { stepTrainerDataset } from '../../../../src/graphql/datasets/step-trainer.dataset';
import { buildLake, tableFile } from '../../../helpers/etl-lake';
import { writeManyCustomersLanding } from '../../../helpers/many-customers-landing';

/** What a DuckDB build writes: each table sorted in the order the API pages it, in row groups of ROW_GROUP_ROWS. */
describe('the layout of built tables on DuckDB', () => {
  let version: VersionManifest;
  beforeAll(async () => {
    // 2,400 consenting customers x 30 readings: 72,000 training rows, more than one row group of 65,536.
    version = await buildLake(writeManyCustomersLanding(3_000, 30).landing);
  });

  async function inFile<T>(run: (sql: (text: string) => Promise<unknown[][]>) => Promise<T>): Promise<T> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      return await run(async (text) => (await connection.runAndReadAll(text)).getRows());
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  it.each(BUILT_TABLES)('writes %s in its storage order', async (table) => {
    const file = tableFile(version, table);
    const order = storageOrder(table).map((c) => `"${c}"`).join(', ');
    const [[misplaced, rows]] = await inFile((sql) =>
      sql(`WITH t AS (SELECT *, file_row_number FROM read_parquet('${file}', file_row_number = true))
           SELECT count(*) FILTER (WHERE file_row_number <> rank_in_order), count(*) FROM (SELECT file_row_number, row_number() OVER (ORDER BY ${order}) - 1 AS rank_in_order FROM t)`),
    );
    expect(Number(rows)).toBe(version.tables[table].rows);
    expect(Number(misplaced)).toBe(0);
  });

  it(`splits a large table into row groups of at most ${ROW_GROUP_ROWS.toLocaleString('en-US')} rows, the first one full`, async () => {
    const file = tableFile(version, 'machine_learning_curated');
    const groups = await inFile((sql) => sql(`SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${file}') ORDER BY 1`));
    const sizes = groups.map((g) => Number(g[1]));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(version.tables.machine_learning_curated.rows);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    expect(sizes[0]).toBe(ROW_GROUP_ROWS);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(ROW_GROUP_ROWS);
  });

  it('stores every table the API pages directly in that field\'s keyset order', () => {
    const keyNames = (ds: { key: readonly { name: string }[] }) => ds.key.map((k) => k.name);
    expect(storageOrder('machine_learning_curated')).toEqual(keyNames(machineLearningDataset));
    expect(storageOrder('step_trainer_trusted')).toEqual(keyNames(stepTrainerDataset));
    expect(storageOrder('customer_curated')).toEqual(keyNames(customerDataset));
    // The readings carry their customer's serialNumber, so they are stored by the API's key too.
    expect(storageOrder('accelerometer_trusted')).toEqual(keyNames(accelerometerDataset));
    expect(TABLES.accelerometer_trusted.columns.map((c) => c.name)).toContain('serialNumber');
  });

  it('loads a file that lacks a column of its storage order (an older release\'s) by its key', () => {
    const older = TABLES.accelerometer_trusted.columns.map((c) => c.name).filter((c) => c !== 'serialNumber');
    expect(storageOrder('accelerometer_trusted', older)).toEqual(TABLES.accelerometer_trusted.key);
    expect(storageOrder('accelerometer_trusted', [...older, 'serialNumber'])).toEqual(['serialNumber', 'timestamp', 'x', 'y', 'z']);
  });
});

import { buildLake, rowCounts, tableFile } from '../helpers/etl-lake';
import { REFERENCE_COUNTS, STEDI_SAMPLE_DIR, describeWithStediSample } from '../helpers/stedi-sample';

describeWithStediSample('the zones on the real STEDI data', () => {
  it('match the reference counts under the any policy', async () => {
    const version = await buildLake(STEDI_SAMPLE_DIR, undefined, { consentPolicy: 'any' });
    expect(rowCounts(version)).toEqual(REFERENCE_COUNTS.any);
    expect(Object.values(version.landingCounts).every((c) => c.quarantined === 0)).toBe(true);
    expect(version.checks.every((c) => c.violations === 0)).toBe(true);
  });

  it('match the strict counts under the as-of policy', async () => {
    const version = await buildLake(STEDI_SAMPLE_DIR, undefined, { consentPolicy: 'as-of' });
    expect(rowCounts(version)).toEqual(REFERENCE_COUNTS['as-of']);
  });
});

describeWithStediSample('the published 43,681 training rows', () => {
  it('come from joining on the timestamp alone, which pairs 2,700 readings across different people', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const version = await buildLake(STEDI_SAMPLE_DIR);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(
      `SELECT count(*) AS joined, count(*) FILTER (WHERE c."email" <> a."user") AS crossed
       FROM read_parquet(?) AS s
       JOIN read_parquet(?) AS a ON a."timestamp" = s."sensorReadingTime"
       JOIN read_parquet(?) AS c ON c."serialNumber" = s."serialNumber"`,
      [tableFile(version, 'step_trainer_trusted'), tableFile(version, 'accelerometer_trusted'), tableFile(version, 'customer_trusted')],
    );
    const [row] = reader.getRowObjectsJS();
    connection.closeSync();
    instance.closeSync();
    expect({ joined: Number(row.joined), crossed: Number(row.crossed) }).toEqual({ joined: 43_681, crossed: 2_700 });
    expect(version.tables.machine_learning_curated.rows).toBe(43_681 - 2_700);
  });
});

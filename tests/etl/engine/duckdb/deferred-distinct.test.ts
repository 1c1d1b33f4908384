import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { runBuild } from '../../../../etl/build';
import { CONSENT_POLICIES } from '../../../../etl/consent-policy';
import { DuckDbBuildTarget } from '../../../../etl/engine/duckdb/duckdb-build-target';
import { withoutDistinct } from '../../../../etl/engine/duckdb/deferred-distinct';
import { LakeLayout } from '../../../../etl/engine/duckdb/lake-layout';
import { BUILT_TABLES, TABLES } from '../../../../etl/tables';
import { zoneSql } from '../../../../etl/zone-sql';
import { accelerometerRecord, emailOf, makeTempDir, writeLanding, writeSmallLanding } from '../../../helpers/landing-fixture';

/**
 * accelerometer_trusted written without its DISTINCT, and again with it when
 * the uniqueness screen finds a repeated key: the same rows in the same order
 * as the zone SQL run as written, whatever the landing repeats.
 */

const accelerometerSql = zoneSql({ ...TABLES.accelerometer_trusted, name: 'accelerometer_trusted' }).text;

/** Every built table's rows, in file order, of one build with the DISTINCT deferred or not; and the SQL texts it ran. */
async function build(landing: string, deferDistinct: boolean, consentPolicy: (typeof CONSENT_POLICIES)[number]) {
  const lake = makeTempDir('stedi-lake-');
  const ran: string[] = [];
  const run = DuckDBConnection.prototype.runAndReadAll;
  const spy = jest.spyOn(DuckDBConnection.prototype, 'runAndReadAll').mockImplementation(function (this: DuckDBConnection, sql: string, ...rest: unknown[]) {
    ran.push(sql);
    return (run as (...a: unknown[]) => ReturnType<typeof run>).call(this, sql, ...rest);
  });
  try {
    const version = await runBuild(new DuckDbBuildTarget(new LakeLayout(lake, landing), { deferDistinct }), { consentPolicy });
    spy.mockRestore();
    const layout = new LakeLayout(lake);
    const tables: Record<string, unknown[]> = {};
    for (const table of BUILT_TABLES) tables[table] = await fileRows(layout.located(version.tables[table].location));
    return { tables, ran };
  } finally {
    spy.mockRestore();
  }
}

/** A Parquet file's rows in stored order, numbers as text (so -0 shows). */
async function fileRows(file: string): Promise<string[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll('SELECT * FROM read_parquet(?, hive_partitioning = false, file_row_number = true) ORDER BY file_row_number', [file]);
    return reader.getRows().map((row) => row.map((v) => (typeof v === 'number' && Object.is(v, -0) ? '-0' : String(v))));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const screens = (ran: string[]): number => ran.filter((sql) => sql.includes('hash("user", "timestamp", "x", "y", "z")')).length;
const copies = (ran: string[]): number => ran.filter((sql) => sql.startsWith('COPY') && sql.includes('accelerometer_landing')).length;

describe('a deferred DISTINCT in the DuckDB build', () => {
  it('applies to the shipped accelerometer_trusted SQL only, removing its one DISTINCT over the key columns', () => {
    const without = withoutDistinct('accelerometer_trusted', accelerometerSql);
    expect(without).toBeDefined();
    expect(without).not.toMatch(/DISTINCT/);
    expect(accelerometerSql.replace('SELECT DISTINCT *', 'SELECT *')).toBe(without);
    // The proof needs the DISTINCT's columns to be the table's key (see deferred-distinct.ts).
    expect(accelerometerSql).toMatch(new RegExp(`renamed AS \\(\\s*SELECT\\s*${TABLES.accelerometer_trusted.key.map((c) => `"${c}",?\\s*`).join('')}FROM source`));
    expect(withoutDistinct('machine_learning_curated', zoneSql({ ...TABLES.machine_learning_curated, name: 'machine_learning_curated' }).text)).toBeUndefined();
    expect(withoutDistinct('accelerometer_trusted', `${accelerometerSql} UNION ALL SELECT DISTINCT * FROM renamed`)).toBeUndefined();
  });

  it.each(CONSENT_POLICIES)('writes the same rows in the same order when the landing repeats no reading, screening the key once (%s)', async (policy) => {
    const landing = writeSmallLanding();
    const plain = await build(landing, false, policy);
    const deferred = await build(landing, true, policy);
    expect(deferred.tables).toEqual(plain.tables);
    expect(copies(deferred.ran)).toBe(1);
    // The screen run after writing stands for the uniqueness check's.
    expect(screens(deferred.ran)).toBe(1);
  });

  it.each(CONSENT_POLICIES)('writes the table again with the DISTINCT when readings repeat, -0 and 0 counting as one (%s)', async (policy) => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'accelerometer', [
      accelerometerRecord('alice', 1_655_000_001_000, 1, 1, 1),
      accelerometerRecord('alice', 1_655_000_003_000, 0, 1, 1),
      // JSON.stringify writes -0 as 0.
      `{"user":"${emailOf('alice')}","timestamp":1655000003000,"x":-0.0,"y":1,"z":1}`,
      accelerometerRecord('bob', 1_655_000_001_000, 4, 4, 4),
    ], 'accelerometer-2.json');
    const plain = await build(landing, false, policy);
    const deferred = await build(landing, true, policy);
    expect(deferred.tables).toEqual(plain.tables);
    expect(plain.tables.accelerometer_trusted.length).toBeGreaterThan(0);
    expect(copies(deferred.ran)).toBe(2);
  });
});

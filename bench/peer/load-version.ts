import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../etl/engine/engine';
import { accelerometerDataset } from '../../src/graphql/datasets/accelerometer.dataset';
import { elapsedMs } from '../measure';
import { type PostgresPeer, psql } from './postgres';

/**
 * Loads a lake's live version into a new database of the peer's cluster, as
 * one would for a fast bulk load: CSV files DuckDB writes, a server-side COPY
 * into tables without keys, then the primary keys on the keyset columns,
 * foreign keys (NOT VALID: the data is already consistent) and VACUUM ANALYZE.
 */

interface PeerTable {
  name: string;
  columns: string;
  /** The rows, from the live version (no email or other personal column but the name the small query reads). */
  select(engine: Engine, version: string): Promise<string>;
  key: string;
}

const TABLES: PeerTable[] = [
  {
    name: 'customer_curated',
    columns: '"serialNumber" text, "customerName" text, "registrationDate" bigint, "lastUpdateDate" bigint, "shareWithResearchAsOfDate" bigint',
    select: async (e, v) => `SELECT "serialNumber", "customerName", "registrationDate", "lastUpdateDate", "shareWithResearchAsOfDate" FROM ${await e.tableRef('customer_curated', v)}`,
    key: '"serialNumber"',
  },
  {
    name: 'step_trainer_trusted',
    columns: '"serialNumber" text, "sensorReadingTime" bigint, "distanceFromObject" bigint',
    select: async (e, v) => `SELECT "serialNumber", "sensorReadingTime", "distanceFromObject" FROM ${await e.tableRef('step_trainer_trusted', v)}`,
    key: '"serialNumber", "sensorReadingTime", "distanceFromObject"',
  },
  {
    name: 'machine_learning_curated',
    columns: '"serialNumber" text, "sensorReadingTime" bigint, "distanceFromObject" bigint, x double precision, y double precision, z double precision',
    select: async (e, v) => `SELECT "serialNumber", "sensorReadingTime", "distanceFromObject", x, y, z FROM ${await e.tableRef('machine_learning_curated', v)}`,
    key: '"serialNumber", "sensorReadingTime", x, y, z',
  },
  {
    // The API's own view of the readings (serialNumber instead of the email), whatever the stored layout.
    name: 'accelerometer_trusted',
    columns: '"serialNumber" text, "timestamp" bigint, x double precision, y double precision, z double precision',
    select: async (e, v) => `SELECT ${accelerometerDataset.select} FROM ${await accelerometerDataset.from(e, v)}`,
    key: '"serialNumber", "timestamp", x, y, z',
  },
];

export interface LoadReport {
  database: string;
  version: string;
  rows: Record<string, number>;
  ms: number;
}

export async function loadLiveVersion(pg: PostgresPeer, database: string, engine: Engine): Promise<LoadReport> {
  const version = (await engine.manifest())?.versions[0]?.version;
  if (!version) throw new Error('the lake has no live version to load into PostgreSQL');
  psql(pg.url(), `CREATE DATABASE ${database}`);
  const url = pg.url(database);
  const rows: Record<string, number> = {};
  const ms = await elapsedMs(async () => {
    for (const table of TABLES) {
      const file = join(pg.folder, `${database}-${table.name}.csv`);
      try {
        rows[table.name] = await engine.exportToFile(await table.select(engine, version), [], 'csv', file);
        chmodSync(file, 0o644);
        psql(url, `CREATE TABLE ${table.name} (${table.columns})`);
        psql(url, `COPY ${table.name} FROM '${file}' WITH (FORMAT csv, HEADER true)`);
      } finally {
        rmSync(file, { force: true });
      }
      psql(url, `ALTER TABLE ${table.name} ADD PRIMARY KEY (${table.key})`);
    }
    for (const child of ['step_trainer_trusted', 'accelerometer_trusted']) {
      psql(url, `ALTER TABLE ${child} ADD CONSTRAINT ${child}_customer FOREIGN KEY ("serialNumber") REFERENCES customer_curated ("serialNumber") NOT VALID`);
    }
    psql(url, 'VACUUM ANALYZE');
  });
  return { database, version, rows, ms };
}

export function dropDatabase(pg: PostgresPeer, database: string): void {
  psql(pg.url(), `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}

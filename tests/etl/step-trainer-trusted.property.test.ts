import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { CONSENT_POLICIES, type ConsentPolicy } from '../../etl/consent-policy';
import { TABLES } from '../../etl/tables';
import { zoneSql } from '../../etl/zone-sql';
import { fillTable as fill } from '../helpers/duckdb-table-fill';

/**
 * step_trainer_trusted's one aggregation against a plain reference written
 * here: exact duplicate readings collapse, a device's moment with two
 * different distances (a null counting as a value, as DISTINCT counts it) is
 * dropped, and only consenting devices with accelerometer data are kept.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SERIALS = ['s1', 's2', 's3'];

interface Reading {
  time: number;
  serial: string;
  distance: number | null;
}
interface Device {
  serial: string;
  email: string;
  consentAt: number;
  hasReadings: boolean;
}

const reading = fc.record({
  time: fc.integer({ min: 1, max: 4 }),
  serial: fc.constantFrom(...SERIALS, 'unknown'),
  distance: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
});
const device = (serial: string) => fc.record({ serial: fc.constant(serial), email: fc.constant(`${serial}@x`), consentAt: fc.integer({ min: 1, max: 4 }), hasReadings: fc.boolean() });
const devices = fc.tuple(...SERIALS.map(device)).chain((all) => fc.subarray(all));

function reference(readings: Reading[], customers: Device[], policy: ConsentPolicy): string[] {
  const kept = new Map(customers.filter((c) => c.hasReadings).map((c) => [c.serial, c]));
  const distinct = new Set(readings.filter((r) => kept.has(r.serial)).map((r) => JSON.stringify([r.serial, r.time, r.distance])));
  const perMoment = new Map<string, number>();
  for (const row of distinct) {
    const [serial, time] = JSON.parse(row) as [string, number];
    perMoment.set(`${serial}|${time}`, (perMoment.get(`${serial}|${time}`) ?? 0) + 1);
  }
  return [...distinct]
    .filter((row) => {
      const [serial, time] = JSON.parse(row) as [string, number];
      return perMoment.get(`${serial}|${time}`) === 1 && (policy === 'any' || time >= kept.get(serial)!.consentAt);
    })
    .sort();
}

describe(`step_trainer_trusted under generated readings (seed ${SEED})`, () => {
  it('keeps exactly the readings of the plain reference, under both consent policies', async () => {
    const sql = zoneSql({ ...TABLES.step_trainer_trusted, name: 'step_trainer_trusted' });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(reading, { maxLength: 30 }), devices, fc.constantFrom(...CONSENT_POLICIES), async (readings, customers, policy) => {
          await fill(connection, 'step_trainer_landing', '"sensorReadingTime" BIGINT, "serialNumber" VARCHAR, "distanceFromObject" BIGINT', readings.map((r) => [r.time, r.serial, r.distance]));
          await fill(connection, 'customer_trusted', '"email" VARCHAR, "serialNumber" VARCHAR, "shareWithResearchAsOfDate" BIGINT', customers.map((c) => [c.email, c.serial, c.consentAt]));
          await fill(connection, 'accelerometer_trusted', '"user" VARCHAR', customers.filter((c) => c.hasReadings).map((c) => [c.email]));
          const result = await connection.runAndReadAll(sql.text, Array.from({ length: sql.parameterCount }, () => policy));
          const built = result.getRowObjectsJS().map((r) => JSON.stringify([r.serialNumber, Number(r.sensorReadingTime), r.distanceFromObject === null ? null : Number(r.distanceFromObject)]));
          expect(built.sort()).toEqual(reference(readings, customers, policy));
        }),
        { seed: SEED, numRuns: 150 },
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

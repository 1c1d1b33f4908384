import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { TABLES } from '../../etl/tables';
import { zoneSql } from '../../etl/zone-sql';
import { fillTable as fill } from '../helpers/duckdb-table-fill';

/**
 * machine_learning_curated against a plain reference written here, which pairs
 * a step trainer reading with a phone reading through the customer (device ->
 * email -> phone at the same moment), as the training set is defined: never
 * two people's readings that share a moment.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const PEOPLE = ['a', 'b', 'c'];

interface Customer {
  email: string;
  serial: string;
  curated: boolean;
}
interface Phone {
  user: string;
  time: number;
  x: number;
}
interface Step {
  serial: string;
  time: number;
  distance: number;
}

// Each person a distinct device; times collide across people on purpose.
const customers: fc.Arbitrary<Customer[]> = fc.subarray(PEOPLE).chain((names) =>
  fc.tuple(...names.map((n) => fc.record({ email: fc.constant(`${n}@x` as string), serial: fc.constant(`S-${n}` as string), curated: fc.boolean() }))),
);
const phone = fc.record({ user: fc.constantFrom(...PEOPLE.map((n) => `${n}@x`)), time: fc.integer({ min: 1, max: 3 }), x: fc.integer({ min: -1, max: 1 }) });
const step = fc.record({ serial: fc.constantFrom(...PEOPLE.map((n) => `S-${n}`)), time: fc.integer({ min: 1, max: 3 }), distance: fc.integer({ min: 0, max: 2 }) });

function reference(people: Customer[], phones: Phone[], steps: Step[]): string[] {
  const emailOf = new Map(people.filter((c) => c.curated).map((c) => [c.serial, c.email]));
  return steps.flatMap((s) => {
    const email = emailOf.get(s.serial);
    return email === undefined ? [] : phones.filter((p) => p.user === email && p.time === s.time).map((p) => JSON.stringify([s.serial, email, s.time, s.distance, p.x]));
  }).sort();
}

describe(`machine_learning_curated under generated readings (seed ${SEED})`, () => {
  it('pairs exactly the readings the customer-to-phone reference pairs, never two people’s at a shared moment', async () => {
    const sql = zoneSql({ ...TABLES.machine_learning_curated, name: 'machine_learning_curated' });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await fc.assert(
        fc.asyncProperty(customers, fc.array(phone, { maxLength: 12 }), fc.array(step, { maxLength: 12 }), async (people, phones, steps) => {
          // The trusted tables as the build makes them: a phone reading is kept only for a trusted customer, under that
          // customer's serialNumber; a device's readings only for a curated customer (one with phone readings).
          const serialOf = new Map(people.map((c) => [c.email, c.serial]));
          const curated = people.filter((c) => c.curated && phones.some((p) => p.user === c.email));
          const kept = people.map((c) => ({ ...c, curated: curated.includes(c) }));
          await fill(connection, 'customer_curated', '"email" VARCHAR, "serialNumber" VARCHAR', curated.map((c) => [c.email, c.serial]));
          const trustedPhones = phones.filter((p) => serialOf.has(p.user));
          await fill(connection, 'accelerometer_trusted', '"user" VARCHAR, "timestamp" BIGINT, "x" BIGINT, "y" BIGINT, "z" BIGINT, "serialNumber" VARCHAR', trustedPhones.map((p) => [p.user, p.time, p.x, 0, 0, serialOf.get(p.user)!]));
          const trustedSteps = steps.filter((s) => curated.some((c) => c.serial === s.serial));
          await fill(connection, 'step_trainer_trusted', '"sensorReadingTime" BIGINT, "serialNumber" VARCHAR, "distanceFromObject" BIGINT', trustedSteps.map((s) => [s.time, s.serial, s.distance]));
          const rows = (await connection.runAndReadAll(sql.text)).getRowObjectsJS();
          const built = rows.map((r) => JSON.stringify([r.serialNumber, r.email, Number(r.sensorReadingTime), Number(r.distanceFromObject), Number(r.x)]));
          expect(built.sort()).toEqual(reference(kept, trustedPhones, trustedSteps));
        }),
        { seed: SEED, numRuns: 200 },
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

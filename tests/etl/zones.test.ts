import { buildLake, readTable } from '../helpers/etl-lake';
import {
  accelerometerRecord,
  customerRecord,
  emailOf,
  makeTempDir,
  stepTrainerRecord,
  writeLanding,
  writeSmallLanding,
} from '../helpers/landing-fixture';

describe('trusted and curated zones', () => {
  it('keeps only customers with research consent and the readings that belong to them', async () => {
    const version = await buildLake(writeSmallLanding());
    const customers = await readTable(version, 'customer_trusted', '"email"');
    expect(customers.map((c) => c.email)).toEqual([emailOf('alice'), emailOf('bob')]);
    const readings = await readTable(version, 'accelerometer_trusted');
    expect(readings.map((r) => r.user)).not.toContain(emailOf('carol'));
    expect(readings).toHaveLength(4);
    const steps = await readTable(version, 'step_trainer_trusted');
    expect(steps.map((s) => s.serialNumber).sort()).toEqual(['serial-alice', 'serial-alice', 'serial-bob']);
  });

  it('joins a step trainer reading only with the same customer’s phone at the same timestamp', async () => {
    const version = await buildLake(writeSmallLanding());
    const samples = await readTable(version, 'machine_learning_curated', '"serialNumber", "sensorReadingTime", "x"');
    // alice and bob share 1_655_000_001_000: a timestamp-only join would give alice 3 rows there and bob 3.
    expect(samples.map((s) => [s.serialNumber, s.email, s.sensorReadingTime, s.distanceFromObject, s.x])).toEqual([
      ['serial-alice', emailOf('alice'), 1_655_000_001_000, 100, 1],
      ['serial-alice', emailOf('alice'), 1_655_000_001_000, 100, 2],
      ['serial-alice', emailOf('alice'), 1_655_000_002_000, 110, 3],
      ['serial-bob', emailOf('bob'), 1_655_000_001_000, 120, 4],
    ]);
  });

  it('lets a newer customer record without consent revoke an older one that had it', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const version = await buildLake(landing);
    const customers = await readTable(version, 'customer_curated');
    expect(customers.map((c) => c.email)).toEqual([emailOf('alice')]);
    const samples = await readTable(version, 'machine_learning_curated');
    expect(samples.every((s) => s.serialNumber === 'serial-alice')).toBe(true);
  });

  it('lets a newer record with consent grant it to a customer who had refused', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'carol', serial: 'serial-carol', consentAt: 1_655_000_000_500, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const version = await buildLake(landing);
    expect((await readTable(version, 'customer_curated')).map((c) => c.email)).toContain(emailOf('carol'));
  });

  it('removes exact duplicate records once', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice' })], 'customer-dup.json');
    writeLanding(landing, 'accelerometer', [accelerometerRecord('alice', 1_655_000_002_000, 3, 3, 3)], 'accelerometer-dup.json');
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-alice', 1_655_000_002_000, 110)], 'step-dup.json');
    const version = await buildLake(landing);
    expect(version.tables.customer_landing.rows).toBe(4);
    expect(version.tables.customer_trusted.rows).toBe(2);
    expect(version.tables.accelerometer_trusted.rows).toBe(4);
    expect(version.tables.step_trainer_trusted.rows).toBe(3);
    expect(version.tables.machine_learning_curated.rows).toBe(4);
  });

  it('drops both readings of a device that reports two distances at one moment, and only those', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'step_trainer', [
      stepTrainerRecord('serial-alice', 1_655_000_002_000, 111),
      // an exact duplicate is one reading, not a conflict
      stepTrainerRecord('serial-bob', 1_655_000_001_000, 120),
      // a non-consenting device's conflict changes nothing for the others
      stepTrainerRecord('serial-carol', 1_655_000_001_000, 131),
    ], 'step-conflict.json');
    const version = await buildLake(landing);
    const steps = await readTable(version, 'step_trainer_trusted', '"serialNumber", "sensorReadingTime"');
    expect(steps.map((s) => [s.serialNumber, s.sensorReadingTime, s.distanceFromObject])).toEqual([
      ['serial-alice', 1_655_000_001_000, 100],
      ['serial-bob', 1_655_000_001_000, 120],
    ]);
    const samples = await readTable(version, 'machine_learning_curated', '"serialNumber", "sensorReadingTime", "x"');
    expect(samples.map((s) => [s.serialNumber, s.sensorReadingTime, s.x])).toEqual([
      ['serial-alice', 1_655_000_001_000, 1],
      ['serial-alice', 1_655_000_001_000, 2],
      ['serial-bob', 1_655_000_001_000, 4],
    ]);
  });

  it('under the as-of policy takes the later consent date of two records tied on lastUpdateDate, whichever file comes first', async () => {
    // Consent dates are epoch milliseconds (one below 10^11 is quarantined as a date in seconds).
    const at = (ms: number): number => 1_655_000_000_000 + ms;
    for (const order of [[at(2_000), at(3_000)], [at(3_000), at(2_000)]]) {
      const landing = makeTempDir();
      order.forEach((consentAt, i) => writeLanding(landing, 'customer', [customerRecord({ name: 'dan', serial: 'serial-dan', consentAt })], `customer-${i + 1}.json`));
      writeLanding(landing, 'accelerometer', [1_000, 2_000, 3_000].map((t) => accelerometerRecord('dan', at(t))));
      writeLanding(landing, 'step_trainer', [1_000, 2_000, 3_000].map((t) => stepTrainerRecord('serial-dan', at(t))));
      const asOf = await buildLake(landing, undefined, { consentPolicy: 'as-of' });
      expect({ order, kept: (await readTable(asOf, 'machine_learning_curated', '"sensorReadingTime"')).map((s) => s.sensorReadingTime) }).toEqual({ order, kept: [at(3_000)] });
    }
  });

  it('under the as-of policy keeps only readings taken at or after consent', async () => {
    const landing = makeTempDir();
    // Consent dates are epoch milliseconds (one below 10^11 is quarantined as a date in seconds).
    const at = (ms: number): number => 1_655_000_000_000 + ms;
    writeLanding(landing, 'customer', [customerRecord({ name: 'dan', serial: 'serial-dan', consentAt: at(2_000) })]);
    writeLanding(landing, 'accelerometer', [accelerometerRecord('dan', at(1_000)), accelerometerRecord('dan', at(2_000)), accelerometerRecord('dan', at(3_000))]);
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-dan', at(1_000)), stepTrainerRecord('serial-dan', at(2_000)), stepTrainerRecord('serial-dan', at(3_000))]);
    const any = await buildLake(landing, undefined, { consentPolicy: 'any' });
    const asOf = await buildLake(landing, undefined, { consentPolicy: 'as-of' });
    expect(any.tables.machine_learning_curated.rows).toBe(3);
    expect((await readTable(asOf, 'machine_learning_curated', '"sensorReadingTime"')).map((s) => s.sensorReadingTime)).toEqual([at(2_000), at(3_000)]);
    expect(asOf.tables.step_trainer_trusted.rows).toBe(2);
  });

  it('counts a consent date after the build as consent under any, and serves none of the readings before it under as-of', async () => {
    const landing = makeTempDir();
    const later = Date.UTC(2099, 0, 1);
    writeLanding(landing, 'customer', [customerRecord({ name: 'fay', serial: 'serial-fay', consentAt: later })]);
    writeLanding(landing, 'accelerometer', [accelerometerRecord('fay', 1_655_000_001_000), accelerometerRecord('fay', 1_655_000_002_000)]);
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-fay', 1_655_000_001_000), stepTrainerRecord('serial-fay', 1_655_000_002_000)]);
    const any = await buildLake(landing, undefined, { consentPolicy: 'any' });
    const asOf = await buildLake(landing, undefined, { consentPolicy: 'as-of' });
    expect([any.tables.customer_trusted.rows, any.tables.machine_learning_curated.rows]).toEqual([1, 2]);
    expect([asOf.tables.accelerometer_trusted.rows, asOf.tables.step_trainer_trusted.rows, asOf.tables.machine_learning_curated.rows]).toEqual([0, 0, 0]);
  });

  it('drops customers without accelerometer data from the curated zone and their devices from step_trainer_trusted', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'erin', serial: 'serial-erin' })], 'customer-2.json');
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-erin', 1_655_000_001_000)], 'step-2.json');
    const version = await buildLake(landing);
    expect(version.tables.customer_trusted.rows).toBe(3);
    expect(version.tables.customer_curated.rows).toBe(2);
    expect((await readTable(version, 'step_trainer_trusted')).map((s) => s.serialNumber)).not.toContain('serial-erin');
  });
});

describe('built tables', () => {
  it('hold exactly the declared columns, in order', async () => {
    const { BUILT_TABLES, TABLES } = await import('../../etl/tables');
    const version = await buildLake(writeSmallLanding());
    for (const table of BUILT_TABLES) {
      const [row] = await readTable(version, table);
      expect([table, Object.keys(row)]).toEqual([table, TABLES[table].columns.map((c) => c.name)]);
    }
  });
});

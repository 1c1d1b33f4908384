import { buildTestLake, type TestLake } from '../helpers/test-lake';
import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding } from '../helpers/landing-fixture';
import { ADMIN, runGraphql } from '../helpers/run-graphql';

/**
 * Landing accepts any whole number within ±(2^53 - 1) as a time; a device
 * with a broken clock can send one past year 275760, the last a Date holds.
 * Its ISO twin is written with a six-digit year: it made the ISO field an
 * internal error, and the non-null edges turned the whole page null. (A
 * customer's dates are held to 10^11 and up, milliseconds: only far ahead.)
 */
const FAR = [-Number.MAX_SAFE_INTEGER, 1_655_000_001_000, 8.64e15 + 1, Number.MAX_SAFE_INTEGER];

describe('times far beyond the years a Date holds', () => {
  let lake: TestLake;
  beforeAll(async () => {
    const landing = makeTempDir();
    writeLanding(landing, 'customer', [{ ...customerRecord({ name: 'far', serial: 'serial-far', updatedAt: Number.MAX_SAFE_INTEGER }), registrationDate: 8.64e15 + 1 }]);
    writeLanding(landing, 'accelerometer', FAR.map((t) => accelerometerRecord('far', t)));
    writeLanding(landing, 'step_trainer', FAR.map((t) => stepTrainerRecord('serial-far', t)));
    lake = await buildTestLake({ landing });
  });
  afterAll(() => lake.close());

  it('are served in every ISO field, with the page around them, as Date writes them with a six-digit year', async () => {
    const iso = ['-283457-03-21T15:00:59.009Z', new Date(1_655_000_001_000).toISOString(), '+275760-09-13T00:00:00.001Z', '+287396-10-12T08:59:00.991Z'];
    for (let run = 0; run < 2; run += 1) { // graphql-jit compiles on the first use: both executors
      const result = await runGraphql(
        lake.services,
        ADMIN,
        `{ machineLearningSamples(first: 10) { edges { node { sensorReadingTime sensorReadingTimeIso } } }
           stepTrainerReadings(first: 10) { edges { node { sensorReadingTimeIso } } }
           accelerometerReadings(first: 10) { edges { node { timestampIso } } }
           customer(serialNumber: "serial-far") { registrationDateIso lastUpdateDateIso } }`,
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.machineLearningSamples.edges.map((e: { node: { sensorReadingTimeIso: string } }) => e.node.sensorReadingTimeIso)).toEqual(iso);
      expect(result.data!.stepTrainerReadings.edges.map((e: { node: { sensorReadingTimeIso: string } }) => e.node.sensorReadingTimeIso)).toEqual(iso);
      expect(result.data!.accelerometerReadings.edges.map((e: { node: { timestampIso: string } }) => e.node.timestampIso)).toEqual(iso);
      expect(result.data!.customer).toEqual({ registrationDateIso: iso[2], lastUpdateDateIso: iso[3] });
    }
  });
});

import { accelerometerRecord, customerRecord, stepTrainerRecord, writeLanding, writeSmallLanding } from './landing-fixture';

/** A page of step-trainer readings, with its cursor: the readings a late consent shows or hides. */
export const STEPS = `query($after: String) { stepTrainerReadings(first: 100, after: $after) { edges { node { serialNumber sensorReadingTime } } pageInfo { endCursor } } }`;
export const FIRST_STEP = STEPS.replace('first: 100', 'first: 1');
export const ALICE_CONSENT = 1_655_000_001_500;

type Step = { node: { serialNumber: string; sensorReadingTime: number } };
export const stepsOf = (body: { data: { stepTrainerReadings: { edges: Step[] } } }): Step['node'][] => body.data.stepTrainerReadings.edges.map((e) => e.node);

/** Small landing where alice consented after her first step-trainer reading (1_655_000_001_000); aaron's reading comes first (readings are paged by device). */
export function lateConsentLanding(): string {
  const landing = writeSmallLanding();
  writeLanding(landing, 'accelerometer', [accelerometerRecord('aaron', 1_655_000_000_500)], 'accelerometer-2.json');
  writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-aaron', 1_655_000_000_500, 90)], 'step_trainer-2.json');
  writeLanding(landing, 'customer', [
    customerRecord({ name: 'aaron', serial: 'serial-aaron' }),
    customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: ALICE_CONSENT }),
    customerRecord({ name: 'bob', serial: 'serial-bob' }),
    customerRecord({ name: 'carol', serial: 'serial-carol', consentAt: null }),
  ]);
  return landing;
}

import { accelerometerRecord, customerRecord, emailOf, makeTempDir, stepTrainerRecord, writeLanding } from './landing-fixture';

/** The customers of writeAddressesBeyondLanding, each with one accelerometer and one step trainer reading. */
export const BEYOND_NAMES = ['alice', 'bob', 'mallory', 'dave', 'erin', 'frank', 'gus'] as const;

/**
 * Valid customer records naming addresses beyond their declared fields (consent-doubt.ts claimedBeyond): mallory's,
 * newer than alice's record, names alice (she is in doubt); dave's, older than bob's own, names bob (superseded);
 * erin's names erin herself in capitals (a writer never doubts themselves); gus's, newer than frank's, names frank as a
 * right-to-left override draws `moc.tset@knarf` (bidi-display.ts). Only alice and frank are uncertain.
 */
export function writeAddressesBeyondLanding(): string {
  const landing = makeTempDir();
  writeLanding(landing, 'customer', [
    customerRecord({ name: 'alice', serial: 'serial-alice' }),
    customerRecord({ name: 'bob', serial: 'serial-bob' }),
    { ...customerRecord({ name: 'mallory', serial: 'serial-mallory', updatedAt: 1_656_000_000_000 }), meta: { email: emailOf('alice'), shareWithResearchAsOfDate: null } },
    { ...customerRecord({ name: 'dave', serial: 'serial-dave', updatedAt: 1_654_000_000_000 }), previousEmail: emailOf('bob') },
    { ...customerRecord({ name: 'erin', serial: 'serial-erin' }), meta: { email: emailOf('erin').toUpperCase() } },
    customerRecord({ name: 'frank', serial: 'serial-frank' }),
    { ...customerRecord({ name: 'gus', serial: 'serial-gus', updatedAt: 1_656_000_000_000 }), previousEmail: '\u202emoc.tset@knarf' },
  ]);
  writeLanding(landing, 'accelerometer', BEYOND_NAMES.map((name) => accelerometerRecord(name, 1_655_000_001_000)));
  writeLanding(landing, 'step_trainer', BEYOND_NAMES.map((name) => stepTrainerRecord(`serial-${name}`, 1_655_000_001_000)));
  return landing;
}

/** The customers of writeDeclaredBeyondLanding. */
export const DECLARED_BEYOND_NAMES = ['alice', 'bob', 'carol', 'mallory'] as const;

/**
 * mallory's valid record has a key beyond the declared fields (`"source":"app"`, `"note"` naming bob) and a declared
 * customerName holding alice's address and carol's serial: only the members beyond the declared fields are searched
 * (strict-record.ts lastBeyondText), so bob alone is uncertain; a declared field is read as the record's own.
 */
export function writeDeclaredBeyondLanding(): string {
  const landing = makeTempDir();
  writeLanding(landing, 'customer', [
    customerRecord({ name: 'alice', serial: 'serial-alice' }),
    customerRecord({ name: 'bob', serial: 'serial-bob' }),
    customerRecord({ name: 'carol', serial: 'serial-carol' }),
    {
      ...customerRecord({ name: 'mallory', serial: 'serial-mallory', updatedAt: 1_656_000_000_000 }),
      customerName: `${emailOf('alice')} serial-carol`,
      source: 'app',
      note: `was ${emailOf('bob')}`,
    },
  ]);
  writeLanding(landing, 'accelerometer', DECLARED_BEYOND_NAMES.map((name) => accelerometerRecord(name, 1_655_000_001_000)));
  writeLanding(landing, 'step_trainer', DECLARED_BEYOND_NAMES.map((name) => stepTrainerRecord(`serial-${name}`, 1_655_000_001_000)));
  return landing;
}

import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding } from './landing-fixture';

export interface ManyCustomers {
  landing: string;
  /** Serials of consenting customers, sorted. */
  consenting: string[];
  /** Serials of customers without consent. */
  refusing: string[];
  /** Readings of each customer (of customer 0 when they vary). */
  readingsPerCustomer: number;
}

export const serialOf = (i: number): string => `serial-${String(i).padStart(4, '0')}`;
export const nameOf = (i: number): string => `person${String(i).padStart(4, '0')}`;

/**
 * `count` customers; every fifth has no consent. Each has `readings` (or
 * `readings(i)` for customer i) accelerometer and step trainer readings at the
 * same timestamps (shared between customers, as in the real data).
 */
export function writeManyCustomersLanding(count: number, readings: number | ((customer: number) => number) = 3, root: string = makeTempDir()): ManyCustomers {
  const readingsOf = typeof readings === 'number' ? () => readings : readings;
  const customers = [];
  const accelerometer = [];
  const stepTrainer = [];
  const consenting: string[] = [];
  const refusing: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const refuses = i % 5 === 4;
    customers.push(customerRecord({ name: nameOf(i), serial: serialOf(i), consentAt: refuses ? null : undefined }));
    (refuses ? refusing : consenting).push(serialOf(i));
    for (let r = 0; r < readingsOf(i); r += 1) {
      const time = 1_655_000_000_000 + r * 1000;
      accelerometer.push(accelerometerRecord(nameOf(i), time, i / 10, r / 10, -r));
      stepTrainer.push(stepTrainerRecord(serialOf(i), time, 100 + r));
    }
  }
  writeLanding(root, 'customer', customers);
  writeLanding(root, 'accelerometer', accelerometer);
  writeLanding(root, 'step_trainer', stepTrainer);
  return { landing: root, consenting: consenting.sort(), refusing, readingsPerCustomer: readingsOf(0) };
}

/** Writes a newer record, without consent, of the customer holding `serial` (one of serialOf's): a revocation the next consent refresh reads. */
export function writeRevocation(landing: string, serial: string): void {
  const i = Number(serial.slice('serial-'.length));
  writeLanding(landing, 'customer', [customerRecord({ name: nameOf(i), serial, consentAt: null, updatedAt: 1_700_000_000_000 })], `customer-revoke-${i}.json`);
}

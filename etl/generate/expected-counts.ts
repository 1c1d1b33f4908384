import { CONSENT_POLICIES, type ConsentPolicy } from '../consent-policy';
import { TABLE_NAMES, type TableName } from '../tables';
import type { Session } from './sessions';

/**
 * The row counts a correct build of the generated landing data must report,
 * per consent policy, tallied while generating. Tests and benchmarks compare
 * a build against them.
 */
export type ExpectedCounts = Record<ConsentPolicy, Record<TableName, number>>;

const zeroes = (): Record<TableName, number> => Object.fromEntries(TABLE_NAMES.map((t) => [t, 0])) as Record<TableName, number>;

export class ExpectedCountsTally {
  readonly counts: ExpectedCounts = Object.fromEntries(CONSENT_POLICIES.map((p) => [p, zeroes()])) as ExpectedCounts;

  /** One generated customer (its clean records only); an uncertain one is never trusted. */
  addCustomer(session: Session, uncertain = false): void {
    const readings = session.readings.reduce((sum, r) => sum + r.length, 0);
    const times = session.timestamps.length;
    for (const policy of CONSENT_POLICIES) this.addLanding(policy, 1, readings, times);

    const consent = session.shareWithResearchAsOfDate;
    if (consent === null || uncertain) return;
    this.addTrusted('any', readings, times);
    let readingsAfter = 0;
    let timesAfter = 0;
    session.timestamps.forEach((t, i) => {
      if (t < consent) return;
      timesAfter += 1;
      readingsAfter += session.readings[i].length;
    });
    this.addTrusted('as-of', readingsAfter, timesAfter);
  }

  /** Exact duplicates are accepted landing lines too; the zones remove them. */
  addDuplicates(landing: Record<'customer' | 'accelerometer' | 'step_trainer', number>): void {
    for (const policy of CONSENT_POLICIES) this.addLanding(policy, landing.customer, landing.accelerometer, landing.step_trainer);
  }

  private addLanding(policy: ConsentPolicy, customers: number, readings: number, times: number): void {
    const c = this.counts[policy];
    c.customer_landing += customers;
    c.accelerometer_landing += readings;
    c.step_trainer_landing += times;
  }

  // A consenting customer is trusted; their readings (all, or those after consent) are trusted and
  // curated only if there are any, and every reading time has its step trainer reading.
  private addTrusted(policy: ConsentPolicy, readings: number, times: number): void {
    const c = this.counts[policy];
    c.customer_trusted += 1;
    c.accelerometer_trusted += readings;
    c.machine_learning_curated += readings;
    if (readings === 0) return;
    c.customer_curated += 1;
    c.step_trainer_trusted += times;
  }
}

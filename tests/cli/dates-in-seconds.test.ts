import { builtReport, quarantineOf } from '../helpers/built-report';
import { accelerometerRecord, customerRecord, stepTrainerRecord, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A customer date written in epoch seconds beside dates in milliseconds, through `bin/stedi.js` as a user runs it
 * (needs `npm run build`): compared as written, a revocation in seconds lost to an older grant in milliseconds, and a
 * consent date in seconds (1970) let the as-of policy serve every reading. Such a line is quarantined with its own
 * reason; its email is readable, so doubt hides that customer until the line is fixed.
 */

const REASON = (field: string) => `field "${field}" is below 10^11: a date in seconds, not epoch milliseconds`;

describe('customer dates written in seconds', () => {
  it('quarantine a revocation whose lastUpdateDate is in seconds, so it never loses to an older grant in milliseconds', () => {
    const landing = writeSmallLanding();
    // alice's grant is dated 1_655_000_000_000 ms; her revocation 1_656_000_000 s, ten days later.
    const revocation = customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000 });
    writeLanding(landing, 'customer', [revocation], 'customer-2.json');
    const report = builtReport(landing);
    expect(report.quarantined.customer).toBe(1);
    expect(quarantineOf(report, 'customer')).toEqual([expect.objectContaining({ lineNumber: 1, reason: REASON('lastUpdateDate') })]);
    expect(report.consentUncertain).toBe(1);
    // bob alone: alice is hidden, and so are her readings.
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.accelerometer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
  });

  it('keep that customer hidden even beside a newer grant in milliseconds: the bad line has no date to compare, only fixing it clears it', () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000 })], 'customer-2.json');
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', updatedAt: 1_700_000_000_000 })], 'customer-3.json');
    expect(builtReport(landing).tables.customer_trusted.rows).toBe(1);
    // Fixed (written in milliseconds), the revocation is read and wins over the older grant only.
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const fixed = builtReport(landing);
    expect(fixed.quarantined.customer).toBe(0);
    expect(fixed.tables.customer_trusted.rows).toBe(2);
  });

  it('quarantine a shareWithResearchAsOfDate in seconds, so the as-of policy does not serve readings taken before that consent', () => {
    const landing = writeSmallLanding();
    // dan consents at 1_655_000_001 s (1_655_000_001_000 ms): one reading before, one after.
    writeLanding(landing, 'customer', [customerRecord({ name: 'dan', serial: 'serial-dan', consentAt: 1_655_000_001 })], 'customer-2.json');
    writeLanding(landing, 'accelerometer', [accelerometerRecord('dan', 1_655_000_000_500, 6, 6, 6), accelerometerRecord('dan', 1_655_000_002_000, 7, 7, 7)], 'accelerometer-2.json');
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-dan', 1_655_000_000_500), stepTrainerRecord('serial-dan', 1_655_000_002_000)], 'step-2.json');
    const report = builtReport(landing, '--consent-policy', 'as-of');
    expect(quarantineOf(report, 'customer')).toEqual([expect.objectContaining({ lineNumber: 1, reason: REASON('shareWithResearchAsOfDate') })]);
    // alice and bob as before (their 4 readings, 3 step trainer readings); none of dan's.
    expect(report.tables.customer_trusted.rows).toBe(2);
    expect(report.tables.accelerometer_trusted.rows).toBe(4);
    expect(report.tables.step_trainer_trusted.rows).toBe(3);
  });

  it.each(['registrationDate', 'shareWithPublicAsOfDate', 'shareWithFriendsAsOfDate'])('quarantine a %s in seconds too', (field) => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [{ ...customerRecord({ name: 'dan', serial: 'serial-dan' }), [field]: 1_655_000_000 }], 'customer-2.json');
    const report = builtReport(landing);
    expect(quarantineOf(report, 'customer')).toEqual([expect.objectContaining({ reason: REASON(field) })]);
    expect(report.tables.customer_trusted.rows).toBe(2);
  });
});

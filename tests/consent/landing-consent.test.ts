import { type CustomerRecord, decideConsent } from '../../src/consent/landing-consent';

/**
 * The registry's decision over the customer landing, held to
 * customer_trusted.sql's order: the freshest record of each email, and on a
 * tie the stricter one, whatever order the files were read in.
 */

const record = (fields: Partial<CustomerRecord>): CustomerRecord => ({
  email: 'bob@test.com',
  serialNumber: 'serial-bob',
  registrationDate: 1_650_000_000_000,
  lastUpdateDate: 1_655_000_000_000,
  consentAt: 1_655_000_000_000,
  ...fields,
});

describe('the consent decision over landing records', () => {
  it('takes the later consent date of two grants tied on lastUpdateDate, in either order', () => {
    const earlier = record({ consentAt: 1_655_000_000_000 });
    const later = record({ consentAt: 1_655_000_001_500 });
    for (const records of [[earlier, later], [later, earlier]]) {
      expect(decideConsent(records, new Set()).consentDate.get('bob@test.com')).toBe(1_655_000_001_500);
    }
  });

  it('lets a revocation win over any grant tied with it, in either order', () => {
    const grant = record({ consentAt: 1_655_000_001_500 });
    const revocation = record({ consentAt: null });
    for (const records of [[grant, revocation], [revocation, grant]]) {
      const decided = decideConsent(records, new Set());
      expect([decided.consentDate.has('bob@test.com'), decided.withheld.has('bob@test.com')]).toEqual([false, true]);
    }
  });
});

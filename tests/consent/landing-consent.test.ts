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

  it('makes a consenting customer’s serial unsafe when a withholding customer names the same UUID in another text form', () => {
    const alice = record({ email: 'alice@test.com', serialNumber: '50f7b4f3-7af5-4b07-a421-7b902c8d2b7c' });
    for (const form of ['50F7B4F37AF54B07A4217B902C8D2B7C', '{50f7b4f3-7af5-4b07-a421-7b902c8d2b7c}', 'urn:uuid:50f7b4f3-7af5-4b07-a421-7b902c8d2b7c']) {
      const decided = decideConsent([alice, record({ email: 'mallory@test.com', serialNumber: form, consentAt: null })], new Set());
      expect(decided.consentDate.has('alice@test.com')).toBe(true);
      expect(decided.unsafeSerials.has(alice.serialNumber)).toBe(true);
    }
  });
});

import { ExpiryReasons } from '../../src/consent/expiry-reasons';

/** Why a version the consent registry saw kept is kept no more, as a STALE_CURSOR says it (stale-reasons.ts). */

const any = (version: string) => ({ version, consentPolicy: 'any' as const });
const asOf = (version: string) => ({ version, consentPolicy: 'as-of' as const });

describe('the reason an expired version is given', () => {
  it('is the erasure for a version that held a customer to erase, and newer builds for any other', () => {
    const reasons = new ExpiryReasons();
    reasons.observe([any('v3'), any('v2'), any('v1')], ['v2'], []);
    reasons.observe([any('v4')], [], []);
    expect(reasons.reasonOf('v2')).toBe('CONSENT_ERASURE');
    expect(reasons.reasonOf('v1')).toBe('VERSION_REPLACED');
    expect(reasons.reasonOf('v3')).toBe('VERSION_REPLACED');
  });

  it('judges a version expired since the last refresh as of that refresh', () => {
    const reasons = new ExpiryReasons();
    reasons.observe([any('v2'), any('v1')], ['v1'], []);
    expect(reasons.reasonOf('v1', 'any')).toBe('CONSENT_ERASURE');
    expect(reasons.reasonOf('v2', 'any')).toBe('VERSION_REPLACED');
  });

  it('is the erasure for a version built under any once an as-of version is live, seen at a refresh or told by the live policy', () => {
    const seen = new ExpiryReasons();
    seen.observe([any('v1')], [], []);
    seen.observe([asOf('v2')], [], []);
    expect(seen.reasonOf('v1')).toBe('CONSENT_ERASURE');
    const told = new ExpiryReasons();
    told.observe([any('v1')], [], []);
    expect(told.reasonOf('v1', 'as-of')).toBe('CONSENT_ERASURE');
    // The live policy unknown, a version built under any that held nobody cannot be judged yet.
    expect(told.reasonOf('v1')).toBeUndefined();
    // A version built under as-of is not expired by an as-of version going live.
    const kept = new ExpiryReasons();
    kept.observe([asOf('v1')], [], []);
    kept.observe([asOf('v2')], [], []);
    expect(kept.reasonOf('v1')).toBe('VERSION_REPLACED');
  });

  it('gives none for a version it never saw kept, or whose customers it could not read', () => {
    const reasons = new ExpiryReasons();
    reasons.observe([asOf('v2'), asOf('v1')], ['v1'], ['v1']);
    reasons.observe([asOf('v3')], [], []);
    expect(reasons.reasonOf('v1')).toBeUndefined();
    expect(reasons.reasonOf('v0')).toBeUndefined();
    expect(reasons.reasonOf('v2')).toBe('VERSION_REPLACED');
  });

  it('remembers the last 256 expired versions, not every one', () => {
    const reasons = new ExpiryReasons();
    for (let k = 0; k < 300; k += 1) reasons.observe([asOf(`v${k}`)], [], []);
    expect(reasons.reasonOf('v0')).toBeUndefined();
    expect(reasons.reasonOf('v298')).toBe('VERSION_REPLACED');
  });
});

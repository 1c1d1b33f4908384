import type { VersionManifest } from '../../etl/manifest';
import { deviceOf } from '../../etl/landing/serial-spelling';
import { hiddenSets } from '../../src/consent/hidden-sets';
import type { LandingConsent } from '../../src/consent/landing-consent';

const version = (name: string, consentPolicy: 'any' | 'as-of'): VersionManifest => ({ version: name, consentPolicy }) as unknown as VersionManifest;

function landing(consenting: Record<string, number>, unsafe: string[] = []): LandingConsent {
  return {
    consentDate: new Map(Object.entries(consenting)),
    withheld: new Set(),
    unsafeSerials: new Set(unsafe),
    unsafeDevices: new Set(unsafe.map(deviceOf)),
    uncertain: new Set(),
  };
}

describe('who a version built under any hides once the lake is as-of', () => {
  const live = version('v2', 'as-of');
  const older = version('v1', 'any');
  const customers = [
    { email: 'alice@x', serialNumber: 'SN-A', consentAt: 100 },
    { email: 'bob@x', serialNumber: 'SN-B', consentAt: 100 },
  ];

  it('hides a consenting customer from that version alone, erases it there, and counts no revocation', () => {
    const sets = hiddenSets({ listed: [live, older], lists: [customers, customers], landing: landing({ 'alice@x': 100, 'bob@x': 100 }), unreadable: new Map(), heldBefore: new Map() });
    expect(sets.byVersion.get('v1')).toEqual(['SN-A', 'SN-B']);
    expect(sets.byVersion.get('v2')).toEqual([]);
    expect([...sets.serials]).toEqual([]);
    expect([...sets.revoked]).toEqual([]);
    expect(sets.holding).toEqual(['v1']);
  });

  it('erases every version holding a consenting customer whose device two emails name, as a revocation (it may hold the other\'s readings)', () => {
    const only = [customers[0]!];
    const sets = hiddenSets({ listed: [live, older], lists: [only, only], landing: landing({ 'alice@x': 100 }, ['SN-A']), unreadable: new Map(), heldBefore: new Map() });
    expect([...sets.serials]).toEqual(['SN-A']);
    expect(sets.holding).toEqual(['v2', 'v1']);
    expect([...sets.held.keys()]).toEqual(['alice@x']);
    expect([...sets.revoked]).toEqual(['alice@x']);
  });
});

describe('who a live version built under any hides from a server given as-of', () => {
  const live = version('v1', 'any');
  const customers = [
    { email: 'alice@x', serialNumber: 'SN-A', consentAt: 100 },
    { email: 'bob@x', serialNumber: 'SN-B', consentAt: 100 },
  ];
  const consenting = landing({ 'alice@x': 100, 'bob@x': 100 });

  it('hides every consenting customer from the live version alone and erases it, naming it behind', () => {
    const sets = hiddenSets({ listed: [live], lists: [customers], landing: consenting, unreadable: new Map(), heldBefore: new Map(), servedPolicy: 'as-of' });
    expect(sets.byVersion.get('v1')).toEqual(['SN-A', 'SN-B']);
    expect([...sets.serials]).toEqual([]);
    expect([...sets.revoked]).toEqual([]);
    expect(sets.holding).toEqual(['v1']);
    expect(sets.liveBehind).toBe('v1');
  });

  it('hides nobody when the server was given any or no policy, nor once the live version is as-of', () => {
    for (const servedPolicy of ['any', undefined] as const) {
      const sets = hiddenSets({ listed: [live], lists: [customers], landing: consenting, unreadable: new Map(), heldBefore: new Map(), servedPolicy });
      expect({ servedPolicy, excluded: sets.byVersion.get('v1'), behind: sets.liveBehind }).toEqual({ servedPolicy, excluded: [], behind: undefined });
    }
    const asOf = hiddenSets({ listed: [version('v2', 'as-of'), live], lists: [customers, customers], landing: consenting, unreadable: new Map(), heldBefore: new Map(), servedPolicy: 'as-of' });
    expect(asOf.byVersion.get('v2')).toEqual([]);
    expect(asOf.liveBehind).toBeUndefined();
  });
});

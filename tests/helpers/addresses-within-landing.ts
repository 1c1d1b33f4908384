import { customerRecord, writeLanding, writeSmallLanding } from './landing-fixture';

/**
 * The small landing (alice and bob consent), with alice's withdrawal under her address inside other text (a display
 * name, on another device), bob's address with a trailing dot after mailto:, dave, and x.dave, whose address only ends
 * with dave's: both engines must hide alice, bob and the two records that write their addresses (4 uncertain), and
 * serve dave and x.dave, with no reading (their devices have none).
 */
export function writeAddressesWithinLanding(): string {
  const landing = writeSmallLanding();
  writeLanding(
    landing,
    'customer',
    [
      { ...customerRecord({ name: 'alice', serial: 'serial-alice-2', consentAt: null, updatedAt: 1_656_000_000_000 }), email: 'Alice\u00a0Smith <ALICE@test.com>' },
      { ...customerRecord({ name: 'bob', serial: 'serial-bob-2' }), email: '"mailto:bob@test.com." (work)' },
      customerRecord({ name: 'dave', serial: 'serial-dave' }),
      { ...customerRecord({ name: 'xdave', serial: 'serial-xdave' }), email: 'x.dave@test.com' },
    ],
    'customer-2.json',
  );
  return landing;
}

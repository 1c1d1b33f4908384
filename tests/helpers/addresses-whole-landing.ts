import { customerRecord, writeLanding, writeSmallLanding } from './landing-fixture';

/**
 * The small landing (alice and bob consent) with lice and y consenting, dave and erin too, and quarantined lines
 * naming addresses only whole (whole-address.ts): `ally@test.com` (not y@test.com), `alice@test.com` (not
 * lice@test.com, nor does `li=20ce@test.comPlease`: a written space is not read inside an address), bob's after a
 * JSON `\n`, dave's before a sentence's dot, erin's after `%20`, percent-encoded, ivy's joined to the word before it
 * (`revokeIvy@test.com`, camelCase), abe's with a space inside and a referenced space after (`=ABE @TEST.COM&#32;w`);
 * frank's valid withdrawal under `frank%40test.com`, gina's under `gina@test.com` + a braille blank (U+2800, drawn as
 * an empty cell) and hank's under a right-to-left override that draws `moc.tset@knah` as hank@test.com; jack's bad
 * line drawn so. Both engines must hide abe, alice, bob, dave, erin, frank, gina, hank, ivy and jack (16 uncertain
 * with ally and jack's line's key, as written and as drawn, unknown but named, and frank's, gina's and hank's
 * withdrawals) and serve lice and y (no reading: their devices have none).
 */
export function writeAddressesWholeLanding(): string {
  const landing = writeSmallLanding();
  const revoked = (name: string, email: string): string =>
    JSON.stringify({ ...customerRecord({ name, serial: `serial-${name}-2`, consentAt: null, updatedAt: 1_656_000_000_000 }), email }).slice(0, -1);
  const withdrawal = (name: string, email: string): Record<string, unknown> => ({
    ...customerRecord({ name, serial: `serial-${name}-2`, consentAt: null, updatedAt: 1_656_000_000_000 }),
    email,
  });
  writeLanding(
    landing,
    'customer',
    [
      ...['lice', 'y', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivy', 'jack', 'abe'].map((name) => customerRecord({ name, serial: `serial-${name}` })),
      // frank's withdrawal, a valid record whose email a form percent-encoded: decoded, it is frank's address.
      withdrawal('frank', 'frank%40test.com'),
      withdrawal('gina', 'gina@test.com\u2800'),
      withdrawal('hank', '\u202emoc.tset@knah'),
      revoked('ally', 'ally@test.com'),
      '{"note":"alice@test.com withdraws"',
      '{"note":"revoke\\nbob@test.com"} x',
      'revoke for dave@test.com.',
      'note=revoke%20erin%40test.com&x=',
      '{"note":"revokeIvy@test.com"',
      // lice's address only inside alice's, and across a written space (`=20`) before a camelCase join: not whole.
      '{"note":"li=20ce@test.comPlease, alice@test.com"',
      // abe's with a space inside, then a space as a reference: `=AB` reads as quoted-printable only where separated.
      '{"note":"=ABE @TEST.COM&#32;withdraws"',
      // jack's revocation under a right-to-left override (as a JSON escape) that draws moc.tset@kcaj as his address.
      '{"email":"\\u202emoc.tset@kcaj","shareWithResearchAsOfDate":null',
    ],
    'customer-2.json',
  );
  return landing;
}

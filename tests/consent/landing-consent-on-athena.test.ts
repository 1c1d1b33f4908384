import { join } from 'node:path';
import { runBuild } from '../../etl/build';
import { AthenaEngine } from '../../etl/engine/athena/athena-engine';
import { openEngine } from '../../etl/engine/open-engine';
import type { Engine } from '../../etl/engine/engine';
import { SOURCES } from '../../etl/tables';
import { deviceOf } from '../../etl/landing/serial-spelling';
import { readLandingConsent } from '../../src/consent/versions-holding';
import { AthenaOnDuckDb } from '../helpers/athena-on-duckdb';
import { fakeAws } from '../helpers/fake-aws';
import { emailOf, writeLanding } from '../helpers/landing-fixture';
import { nameOf, serialOf, writeManyCustomersLanding } from '../helpers/many-customers-landing';

/**
 * Doubt hides at serving time too: the consent registry reads the customer
 * landing again, and a quarantined line naming a customer with a later date
 * makes that customer's consent uncertain on both engines, not only in a build.
 */
const LAKE = 's3://example-bucket/stedi';

describe('landing consent read through the Athena engine', () => {
  const later = (email: string): string =>
    `{"customerName":"${nameOf(0)}","email":"${email}","serialNumber":"${serialOf(0)}","lastUpdateDate":1700000000000,"shareWithResearchAsOfDate":null`;
  it.each([
    // A later, truncated record of a consenting customer: perhaps a withdrawal nobody can read.
    ['a quarantined line with the email as written', later(emailOf(nameOf(0)))],
    // The same under the email key with its @ escaped and in upper case: that customer still, ASCII case aside.
    ['a quarantined line with the email escaped and in other case', later(emailOf(nameOf(0)).toUpperCase().replace('@', '\\u0040'))],
    // A withdrawal written as UTF-16LE (Windows PowerShell 5's default): a NUL after each ASCII character.
    ['a quarantined line written as UTF-16', [...later(emailOf(nameOf(0)))].map((c) => `${c}\0`).join('')],
    // A valid withdrawal on another device, the email in other ASCII case: one address spelled two ways.
    ['a valid record with the email in other case', `${later(emailOf(nameOf(0)).toUpperCase()).replace(serialOf(0), 'another-device')},"registrationDate":1650000000000}`],
    ['a valid record with the email between a tab and a space', `${later(`\\t${emailOf(nameOf(0))} `).replace(serialOf(0), 'another-device')},"registrationDate":1650000000000}`],
    // Other spellings of that address: full-width letters (the same under NFKC), a zero-width space and a NUL (invisible).
    ['a valid record with the email in full-width letters', `${later(emailOf(nameOf(0)).replace(/[a-z]/g, (c) => String.fromCodePoint(c.charCodeAt(0) - 0x61 + 0xff41))).replace(serialOf(0), 'another-device')},"registrationDate":1650000000000}`],
    ['a valid record with a zero-width space and a NUL in the email', `${later(emailOf(nameOf(0)).replace('@', '\\u200b@\\u0000')).replace(serialOf(0), 'another-device')},"registrationDate":1650000000000}`],
    // A later, truncated record of another customer naming that customer's device (perhaps a withdrawal on it), its serial in upper case and escaped.
    ['a quarantined line of another customer naming the device', later('mallory@elsewhere.com')],
    ['a quarantined line naming the device in upper case with an escape', later('mallory@elsewhere.com').replace(serialOf(0), `\\u${serialOf(0).charCodeAt(0).toString(16).padStart(4, '0')}${serialOf(0).slice(1).toUpperCase()}`)],
    // Older than that customer's record and refused for a field (its date read): their newer record does not clear it, only mallory's would.
    ['an older quarantined line of another customer naming the device', `${later('mallory@elsewhere.com').replace('1700000000000', '1600000000000')}}`],
  ])('counts a customer named by %s as uncertain, as the embedded engine does', async (_how, line) => {
    const expected = await onBothEngines([line]);
    expect([...expected.uncertain]).toContain(emailOf(nameOf(0)));
  });

  it.each([
    ['as written', 'mallory@elsewhere.com'],
    ['in full-width letters (its lone accepted spelling)', 'ｍａｌｌｏｒｙ@elsewhere.com'],
  ])('keeps an older quarantined line of another writer, %s, naming a device uncertain though that writer has a newer valid record, as the embedded engine does', async (_how, writer) => {
    const older = `${later(writer).replace('1700000000000', '1600000000000')}}`;
    const newer = `${later('mallory@elsewhere.com').replace(serialOf(0), 'mallory-device')},"registrationDate":1650000000000}`;
    const expected = await onBothEngines([older, newer]);
    expect([...expected.uncertain]).toContain(emailOf(nameOf(0)));
    expect([...expected.uncertain]).not.toContain('mallory@elsewhere.com');
  });

  it.each([
    ['as written', emailOf(nameOf(0))],
    ['in other ASCII case (their lone accepted spelling)', emailOf(nameOf(0)).toUpperCase()],
  ])('clears a customer\'s own older quarantined line naming their device, written %s, by their newer valid record, as the embedded engine does', async (_how, writer) => {
    const older = `${later(writer).replace('1700000000000', '1500000000000')}}`;
    const expected = await onBothEngines([older]);
    expect([...expected.uncertain]).not.toContain(emailOf(nameOf(0)));
  });

  // A customer who moved to another device, whose older record still names the one they left, which a kept version
  // built before the move holds as theirs (with its readings): a line naming that device puts it in doubt there.
  const moved = `{"customerName":"${nameOf(0)}","email":"${emailOf(nameOf(0))}","serialNumber":"moved-device","registrationDate":1650000000000,"lastUpdateDate":1700000000000,"shareWithResearchAsOfDate":1655000000000}`;
  // Spelled as a device (serial-spelling.ts: lower case, hyphens dropped).
  const left = [{ email: emailOf(nameOf(0)), device: deviceOf(serialOf(0)) }];
  it.each([
    ['a quarantined line of another writer naming it under its key', `{"customerName":"m","email":"mallory@elsewhere.com","serialNumber":"${serialOf(0)}","lastUpdateDate":1710000000000`, left],
    ['a quarantined line naming it in its text only', `revoke ${serialOf(0).toUpperCase()} for mallory`, left],
    ['another customer\'s valid record naming it beyond the declared fields', `{"customerName":"m","email":"mallory@elsewhere.com","serialNumber":"mallory-device","registrationDate":1650000000000,"lastUpdateDate":1600000000000,"shareWithResearchAsOfDate":null,"previousSerialNumber":"${serialOf(0)}"}`, left],
    ['the customer\'s own older quarantined line, superseded by their newer record', `{"customerName":"x","email":"${emailOf(nameOf(0))}","serialNumber":"${serialOf(0)}","lastUpdateDate":1600000000000,"shareWithResearchAsOfDate":null}`.replace('"customerName":"x",', '"customerName":1,'), []],
  ])('puts a device a customer has left in doubt for the versions holding it when %s, as the embedded engine does', async (_how, line, expected) => {
    const consent = await onBothEngines([moved, line]);
    expect([...(consent.heldInDoubt ?? new Map())].map(([email, devices]) => [...devices].map((device) => ({ email, device }))).flat()).toEqual(expected);
    // Its freshest record is on another device: the live lake serves it there.
    expect([...consent.uncertain]).not.toContain(emailOf(nameOf(0)));
  });

  /** The landing consent the embedded engine reads with `lines` added, checked to be the Athena engine's too. */
  async function onBothEngines(lines: string[]): Promise<Awaited<ReturnType<typeof readLandingConsent>>> {
    const fixture = writeManyCustomersLanding(5, 1);
    writeLanding(fixture.landing, 'customer', lines, 'customer-2.json');

    const embedded: Engine = await openEngine({ kind: 'duckdb', lake: join(fixture.landing, 'lake'), landing: fixture.landing, lazy: true });
    const expected = await readLandingConsent(embedded, '');
    await embedded.close();

    const aws = fakeAws();
    const duck = await AthenaOnDuckDb.create(aws.s3, Object.fromEntries(SOURCES.map((s) => [`${LAKE}/${s}/landing/`, join(fixture.landing, s, 'landing')])));
    aws.athena.handler = duck.handler;
    const athena = new AthenaEngine({ lake: LAKE }, aws.clients);
    try {
      await runBuild(await athena.buildTarget({}), {});
      const version = (await athena.manifest())!.versions[0].version;
      const actual = await readLandingConsent(athena, version);
      expect([...actual.uncertain].sort()).toEqual([...expected.uncertain].sort());
      expect([...actual.withheld].sort()).toEqual([...expected.withheld].sort());
      expect([...actual.unsafeSerials].sort()).toEqual([...expected.unsafeSerials].sort());
      expect([...actual.consentDate.keys()].sort()).toEqual([...expected.consentDate.keys()].sort());
      const pairs = (consent: typeof actual): string[] => [...(consent.heldInDoubt ?? [])].flatMap(([email, devices]) => [...devices].map((device) => `${email} ${device}`)).sort();
      expect(pairs(actual)).toEqual(pairs(expected));
    } finally {
      await athena.close();
      duck.close();
    }
    return expected;
  }
});

import { appendFileSync, readdirSync, readFileSync, readlinkSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnBin } from '../helpers/spawn-cli';
import { join } from 'node:path';
import { runBin } from '../helpers/bin-cli';
import { buildLake } from '../helpers/etl-lake';
import { builtReport, quarantineOf } from '../helpers/built-report';
import { parquetFilesHolding } from '../helpers/parquet-scan';
import { accelerometerRecord, customerRecord, emailOf, makeTempDir, stepTrainerRecord, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { BEYOND_DECLARED, ESCAPED_IN_BAD_LINE, INVISIBLE_IN_SERIAL, UUID_FORMS, withheldBeyond, withheldDict, withheldRecord, writeRespelledLanding } from '../helpers/respelled-serials-landing';
import { writeAddressesBeyondLanding, writeDeclaredBeyondLanding } from '../helpers/addresses-beyond-landing';
import { REASONS } from '../../etl/landing/landing-rules';
import { writeAddressesWithinLanding } from '../helpers/addresses-within-landing';
import { writeAddressesWholeLanding } from '../helpers/addresses-whole-landing';

/**
 * The defects a hostile producer found, through `bin/stedi.js` as a user runs
 * it (needs `npm run build`): every line is one decision, none stops a build,
 * doubt hides, devices follow consent, and stderr never echoes landing content.
 */

const build = (landing: string, lake: string, ...extra: string[]) => runBin(['build', '--landing', landing, '--lake', lake, '--json', ...extra]);

/** A respelled-serials landing's build serves bob alone, with his readings (writeRespelledLanding). */
const expectBobAlone = (report: { tables: Record<string, { rows: number }> }): void => {
  expect(report.tables.customer_trusted.rows).toBe(1);
  expect(report.tables.step_trainer_trusted.rows).toBe(1);
  expect(report.tables.machine_learning_curated.rows).toBe(1);
};

describe('stedi build on hostile landing lines', () => {
  it('quarantines the lines that used to stop every build, counts blank lines, and succeeds with an empty stderr', () => {
    const landing = writeSmallLanding();
    const file = join(landing, 'accelerometer', 'landing', 'accelerometer-1.json');
    const good = '{"user":"alice@test.com","timestamp":1655000009000,"x":1,"y":2,"z":3}';
    appendFileSync(file, Buffer.concat([
      Buffer.from('{"user":"alice@test.com","timestamp":1655000009000,"x":'), Buffer.from([0xff]), Buffer.from('1,"y":2,"z":3}\n'), // invalid UTF-8
      Buffer.from(`{"user":"${'a'.repeat(9 * 1024 * 1024)}","timestamp":1,"x":1,"y":2,"z":3}\n`), // over 8 MB
      Buffer.from(`${good.replace(',', ',\r')}\n`), // CR in the line's whitespace: valid JSON
      Buffer.from(`${good}\r${good}\n`), // a lone CR: one line, with text after the object
      Buffer.from('{"user":"alice@test.com","timestamp":1655000009000,"x":NaN,"y":2,"z":3}\n'),
      Buffer.from('{"user":"alice@test.com","timestamp":1655000009000,"x":1e309,"y":2,"z":3}\n'),
      Buffer.from('{"user":"alice@test.com","timestamp":9007199254740993,"x":1,"y":2,"z":3}\n'),
      Buffer.from(`${' '.repeat(20)}\n`), // whitespace-only, longer than 8 characters
    ]));
    const lake = makeTempDir();
    const run = build(landing, lake);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.quarantined.accelerometer).toBe(6);
    expect(report.blank.accelerometer).toBe(1);
    expect(quarantineOf(report, 'accelerometer').map((q) => [q.lineNumber, q.reason])).toEqual([
      [6, 'invalid UTF-8'],
      [7, 'line longer than 1048576 bytes'],
      [9, 'text after the JSON value'],
      [10, 'NaN or Infinity is not JSON'],
      [11, 'number out of range'],
      [12, 'field "timestamp" is outside ±(2^53 - 1)'],
    ]);
  });

  it('hides a customer whose newer revocation ends in 0x01 and text, or repeats the consent key, and reports them as consent uncertain', () => {
    const landing = writeSmallLanding();
    const revoke = (name: string) => JSON.stringify(customerRecord({ name, serial: `serial-${name}`, consentAt: null, updatedAt: 1_656_000_000_000 }));
    const consentThenNull = JSON.stringify(customerRecord({ name: 'bob', serial: 'serial-bob', updatedAt: 1_656_000_000_000 })).replace(/}$/, ',"shareWithResearchAsOfDate":null}');
    writeLanding(landing, 'customer', [`${revoke('alice')}\u0001garbage`, consentThenNull], 'customer-2.json');
    const lake = makeTempDir();
    const run = build(landing, lake);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.tables.customer_trusted.rows).toBe(0);
    expect(report.tables.step_trainer_trusted.rows).toBe(0);
    expect(report.consentUncertain).toBe(2);
    expect(quarantineOf(report, 'customer').map((q) => q.reason)).toEqual(['text after the JSON value', 'duplicate key "shareWithResearchAsOfDate"']);
    const status = JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout);
    expect(status.consentUncertain).toBe(2);
  });

  it('hides a customer whose revocation spells the email key with escapes, names them past the line limit or is not JSON, in the build and in stedi status', () => {
    const landing = writeSmallLanding();
    const revoke = (name: string) => JSON.stringify(customerRecord({ name, serial: `serial-${name}`, consentAt: null, updatedAt: 1_656_000_000_000 }));
    const escapedKey = `${revoke('alice').replace('"email"', '"\\u0065m\\u0061il"')} x`;
    // carol's revocation written as a Python dict: no JSON key, but her address is there.
    const pythonDict = "{'customerName': 'carol', 'email': 'carol@test.com', 'serialNumber': 'serial-carol', 'lastUpdateDate': 1656000000000, 'shareWithResearchAsOfDate': None}";
    // Longer than a read of landing (4 MiB), so the line streams by and is never held whole.
    const pastTheLimit = revoke('bob').replace('{', `{"note":"${'n'.repeat(6 * 1024 * 1024)}",`);
    writeLanding(landing, 'customer', [escapedKey, pastTheLimit, pythonDict], 'customer-2.json');
    const lake = makeTempDir();
    const run = build(landing, lake);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(quarantineOf(report, 'customer').map((q) => q.reason)).toEqual(['text after the JSON value', 'line longer than 1048576 bytes', 'malformed JSON']);
    expect(report.tables.customer_trusted.rows).toBe(0);
    expect(report.consentUncertain).toBe(3);
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).consentUncertain).toBe(3);
  });

  it('hides a customer whose revocation writes the email under its key with a \\u escape and in other case, as it does for the address written plainly', () => {
    const landing = writeSmallLanding();
    // alice@test.com as ALICE\u0040TEST.COM in a cut line: read under the key as ALICE@TEST.COM, which is alice in either case.
    const escaped = `{"customerName":"alice","email":"ALICE\\u0040TEST.COM","serialNumber":"serial-alice","lastUpdateDate":1656000000000,"shareWithResearchAsOfDate":null`;
    writeLanding(landing, 'customer', [escaped], 'customer-2.json');
    const report = builtReport(landing);
    expect(quarantineOf(report, 'customer').map((q) => q.reason)).toEqual(['malformed JSON']);
    // bob alone stays trusted.
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
  });

  it.each([
    ['in other ASCII case', 'ALICE@Test.com'],
    ['with a trailing space', `${emailOf('alice')} `],
    ['with a leading tab', `\t${emailOf('alice')}`],
    ['in full-width letters (the same under NFKC)', '\uff41\uff4c\uff49\uff43\uff45@test.com'],
    ['with a zero-width space', 'ali\u200bce@test.com'],
    ['with a line separator (U+2028: a line end, as a CR is)', 'ali\u2028ce@test.com'],
    ['with a Hangul filler and a variation selector (drawn as nothing)', 'ali\u3164c\ufe0fe@test.com'],
    ['with a NUL', `${emailOf('alice')}\u0000`],
    ['with a soft hyphen and a no-break space', 'ali\u00adce@test.com\u00a0'],
    ['with a capital dotted I', 'AL\u0130CE@test.com'],
  ])('hides a customer whose newer revocation spells the email %s on another device, and reports both spellings as consent uncertain', (_how, email) => {
    const landing = writeSmallLanding();
    // On a new device: the same address as alice@test.com, so her consent can no longer be shown.
    const revocation = { ...customerRecord({ name: 'alice', serial: 'serial-alice-2', consentAt: null, updatedAt: 1_656_000_000_000 }), email };
    writeLanding(landing, 'customer', [revocation], 'customer-2.json');
    const lake = makeTempDir();
    const run = build(landing, lake);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.consentUncertain).toBe(2);
    // bob alone stays trusted, with his one reading.
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
    expect(report.tables.machine_learning_curated.rows).toBe(1);
  });

  it.each([
    ['in NFD beside NFC', 'jos\u00e9@test.com', 'jose\u0301@test.com'],
    ['in other non-ASCII case', 'jos\u00e9@test.com', 'JOS\u00c9@test.com'],
  ])('hides a customer whose newer revocation spells the email %s, and reports both spellings as consent uncertain', (_how, granted, revoked) => {
    const landing = writeSmallLanding();
    const jose = (email: string, serial: string, consentAt: number | null, updatedAt: number) => ({ ...customerRecord({ name: 'jose', serial, consentAt, updatedAt }), email });
    writeLanding(landing, 'customer', [jose(granted, 'serial-jose', 1_655_000_000_000, 1_655_000_000_000), jose(revoked, 'serial-jose-2', null, 1_656_000_000_000)], 'customer-2.json');
    writeLanding(landing, 'accelerometer', [{ ...accelerometerRecord('jose', 1_655_000_001_000, 1, 1, 1), user: granted }], 'accelerometer-2.json');
    writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-jose', 1_655_000_001_000, 100)], 'step_trainer-2.json');
    const report = builtReport(landing);
    expect(report.consentUncertain).toBe(2);
    // alice and bob only: the consenting spelling is hidden with the revoking one, and so is its device's reading.
    expect(report.tables.customer_trusted.rows).toBe(2);
    expect(report.tables.step_trainer_trusted.rows).toBe(3);
  });

  it.each([
    ['in full-width letters', '\uff41\uff4c\uff49\uff43\uff45@test.com'],
    ['with a zero-width space', 'ali\u200bce@test.com'],
  ])('hides a customer whose quarantined revocation spells the email %s under its key', (_how, email) => {
    const landing = writeSmallLanding();
    // Cut short: quarantined, its date unknown, so only fixing the line clears it.
    const cut = JSON.stringify({ ...customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 }), email }).slice(0, -1);
    writeLanding(landing, 'customer', [cut], 'customer-2.json');
    const report = builtReport(landing);
    expect(quarantineOf(report, 'customer').map((q) => q.reason)).toEqual(['malformed JSON']);
    // The spelling under the key and alice's own address.
    expect(report.consentUncertain).toBe(2);
    expect(report.tables.customer_trusted.rows).toBe(1);
  });

  it.each([
    ['as written', 'dana@test.com', 'dana@test.com'],
    ['with a zero-width space', 'dana@test.com', 'da\u200bna@test.com'],
    ['with a zero-width space and a no-break space as Python escapes them', 'dana@test.com', 'da\\u200bna@test.com\\xa0'],
    ['in full-width letters and @', 'dana@test.com', '\uff44\uff41\uff4e\uff41\uff20\uff54\uff45\uff53\uff54.com'],
    ['in NFD beside NFC', 'jos\u00e9@test.com', 'jose\u0301@test.com'],
    ['in other non-ASCII case', 'jos\u00e9@test.com', 'JOS\u00c9@TEST.COM'],
    ['in full-width letters followed at once by a combining mark (spelled whole, `…coḿ`)', 'dana@test.com', '\uff44ana@test.com\u0301'],
    ['with visible characters, its @ among them, as JSON and Python escape them', 'dana@test.com', '\\u0064an\\x61\\u0040test.com'],
    ['with a letter as Rust\'s Debug escapes it, escaped again (a run of backslashes)', 'dana@test.com', 'da\\\\u{6e}a@test.com'],
  ])('hides a customer whose quarantined revocation, not JSON, spells the email %s outside an email key', (_how, granted, written) => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [{ ...customerRecord({ name: 'dana', serial: 'serial-dana' }), email: granted }], 'customer-2.json');
    // A Python dict: no double-quoted key, so only the search of the line's text finds the address.
    const pythonDict = `{'customerName': 'dana', 'email': '${written}', 'serialNumber': 'serial-dana', 'shareWithResearchAsOfDate': None, 'lastUpdateDate': 1656000000000}`;
    writeLanding(landing, 'customer', [pythonDict], 'customer-3.json');
    const report = builtReport(landing);
    expect(quarantineOf(report, 'customer').map((q) => q.reason)).toEqual(['malformed JSON']);
    expect(report.consentUncertain).toBe(1);
    // alice and bob only: dana's consent is in doubt.
    expect(report.tables.customer_trusted.rows).toBe(2);
  });

  it('hides a customer whose quarantined revocation is a form\'s body, the email percent-encoded, and keeps serving one a run that is not UTF-8 only seems to name', () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [{ ...customerRecord({ name: 'dana', serial: 'serial-dana' }), email: 'dana@test.com' }], 'customer-2.json');
    // As a browser posts a form (application/x-www-form-urlencoded); a Latin-1 `%E9` before the `%40` is not UTF-8.
    writeLanding(landing, 'customer', ['email=dana%40test.com&shareWithResearchAsOfDate=', 'email=bo%E9%40test.com&shareWithResearchAsOfDate='], 'customer-3.json');
    const report = builtReport(landing);
    expect(quarantineOf(report, 'customer').map((q) => q.reason)).toEqual(['malformed JSON', 'malformed JSON']);
    expect(report.consentUncertain).toBe(1);
    // alice and bob: dana's consent is in doubt.
    expect(report.tables.customer_trusted.rows).toBe(2);
  });

  it('hides a customer whose quarantined revocation is an XML export\'s line, the email written with character references', () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [{ ...customerRecord({ name: 'dana', serial: 'serial-dana' }), email: 'dana@test.com' }], 'customer-2.json');
    writeLanding(landing, 'customer', ['<customer><email>dana&#64;test&period;com</email><shareWithResearchAsOfDate/></customer>'], 'customer-3.json');
    const run = build(landing, makeTempDir());
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(quarantineOf(report, 'customer').map((q) => q.reason)).toEqual(['malformed JSON']);
    expect(report.consentUncertain).toBe(1);
    // alice and bob: dana's consent is in doubt.
    expect(report.tables.customer_trusted.rows).toBe(2);
  });

  it('hides a customer whose quarantined revocation was saved in Latin-1, and keeps serving one whose ASCII address it only resembles', () => {
    const landing = writeSmallLanding();
    const jose = (email: string, serial: string, consentAt: number | null, updatedAt: number) => ({ ...customerRecord({ name: 'jose', serial, consentAt, updatedAt }), email });
    writeLanding(landing, 'customer', [jose('jos\u00e9@test.com', 'serial-jose', 1_655_000_000_000, 1_655_000_000_000), jose('rene@test.com', 'serial-rene', 1_655_000_000_000, 1_655_000_000_000)], 'customer-2.json');
    // é as the one byte 0xE9: invalid UTF-8, read as `jos\uFFFD@test.com`; `ren\uFFFD@test.com` is not rene@test.com.
    // Each on a new device no accepted record names (a device a bad line names hides its holders too).
    const latin1 = [jose('jos\u00e9@test.com', 'tablet-1', null, 1_656_000_000_000), jose('ren\u00e9@test.com', 'tablet-2', null, 1_656_000_000_000)];
    writeFileSync(join(landing, 'customer', 'landing', 'customer-3.json'), Buffer.from(latin1.map((r) => JSON.stringify(r)).join('\n') + '\n', 'latin1'));
    const report = builtReport(landing);
    expect(quarantineOf(report, 'customer').map((q) => q.reason)).toEqual(['invalid UTF-8', 'invalid UTF-8']);
    // josé and the two spellings under the lines' keys; rene is served.
    expect(report.consentUncertain).toBe(3);
    // alice, bob and rene: josé's consent is in doubt.
    expect(report.tables.customer_trusted.rows).toBe(3);
  });

  it('keeps serving a customer whose address only looks like another customer\'s revoking one (a Cyrillic а is another letter)', () => {
    const landing = writeSmallLanding();
    const lookalike = { ...customerRecord({ name: 'alice', serial: 'serial-alice-2', consentAt: null, updatedAt: 1_656_000_000_000 }), email: '\u0430lice@test.com' };
    writeLanding(landing, 'customer', [lookalike], 'customer-2.json');
    const report = builtReport(landing);
    expect(report.consentUncertain).toBe(0);
    expect(report.tables.customer_trusted.rows).toBe(2);
  });

  it.each([
    ['UTF-16LE', (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16BE', (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()])],
  ])('hides a customer whose revocation arrives in %s (as Windows PowerShell 5 writes text), which it quarantines', (_encoding, encode) => {
    const landing = writeSmallLanding();
    const revocation = JSON.stringify(customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 }));
    writeFileSync(join(landing, 'customer', 'landing', 'customer-2.json'), encode(`${revocation}\r\n`));
    const report = builtReport(landing);
    expect(report.quarantined.customer).toBeGreaterThan(0);
    expect(report.consentUncertain).toBe(1);
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
  });

  it('keeps a device out of the trusted zone when a non-consenting customer names the same serialNumber', () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'mallory', serial: 'serial-alice', consentAt: null })], 'customer-2.json');
    const report = builtReport(landing);
    expect(report.ambiguousSerials).toBe(1);
    // bob's one reading stays; alice's two, on the serial mallory claims too, do not, nor does alice (the API keys customers by serial).
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
    expect(report.tables.customer_trusted.rows).toBe(1);
  });

  it('keeps a device out of the trusted zone when a non-consenting customer names its serialNumber in upper case (a UUID names one device in either case)', () => {
    const uuid = '50f7b4f3-7af5-4b07-a421-7b902c8d2b7c';
    const landing = makeTempDir();
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: uuid }), customerRecord({ name: 'bob', serial: 'serial-bob' }), customerRecord({ name: 'mallory', serial: uuid.toUpperCase(), consentAt: null })]);
    writeLanding(landing, 'accelerometer', [accelerometerRecord('alice', 1_655_000_001_000), accelerometerRecord('bob', 1_655_000_001_000)]);
    writeLanding(landing, 'step_trainer', [stepTrainerRecord(uuid, 1_655_000_001_000), stepTrainerRecord('serial-bob', 1_655_000_001_000)]);
    const report = builtReport(landing);
    expect(report.ambiguousSerials).toBe(1);
    // bob's reading stays; alice's, on the device mallory names too, does not, nor does alice.
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
    expect(report.tables.machine_learning_curated.rows).toBe(1);
  });

  it('quarantines a customer line whose serialNumber is not visible ASCII (spaces, controls, format characters, tags, fillers: INVISIBLE_IN_SERIAL), and holds back the device it names', () => {
    // Each spelling once, by its own writer who never consents, on its own consenting customer's device.
    const report = builtReport(writeRespelledLanding(INVISIBLE_IN_SERIAL, withheldRecord));
    expect(report.quarantined.customer).toBe(INVISIBLE_IN_SERIAL.length);
    expect(new Set(quarantineOf(report, 'customer').map((q) => q.reason))).toEqual(new Set([REASONS.notVisibleAscii('serialNumber')]));
    // Each device's holder, and each writer (named under the email key, with no valid record).
    expect(report.consentUncertain).toBe(2 * INVISIBLE_IN_SERIAL.length);
    // bob alone is served, with his readings.
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
    expect(report.tables.machine_learning_curated.rows).toBe(1);
  });

  it('hides a customer whose device a quarantined line of another customer names with an escape or a mark inside the serial, in either case (ESCAPED_IN_BAD_LINE)', () => {
    const report = builtReport(writeRespelledLanding(ESCAPED_IN_BAD_LINE, withheldDict));
    expect(report.quarantined.customer).toBe(ESCAPED_IN_BAD_LINE.length);
    expect(report.consentUncertain).toBe(ESCAPED_IN_BAD_LINE.length);
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
  });

  it('counts a device as ambiguous when another customer names it as the same UUID in another text form (UUID_FORMS), and serves neither', () => {
    const report = builtReport(writeRespelledLanding(UUID_FORMS, withheldRecord));
    expect(report.quarantined.customer).toBe(0);
    expect(report.ambiguousSerials).toBe(UUID_FORMS.length);
    expectBobAlone(report);
  });

  it('hides a customer whose device a quarantined line of another customer names as the same UUID in another text form', () => {
    const report = builtReport(writeRespelledLanding(UUID_FORMS, withheldDict));
    expect(report.quarantined.customer).toBe(UUID_FORMS.length);
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
  });

  it('hides a customer whose address another valid record writes inside other text (a display name, mailto:, a trailing dot), and the other record too, but not an address that only ends with it', () => {
    const report = builtReport(writeAddressesWithinLanding());
    expect(report.consentUncertain).toBe(4);
    // dave and x.dave, whose devices have no reading.
    expect(report.tables.customer_trusted.rows).toBe(2);
    expect(report.tables.step_trainer_trusted.rows).toBe(0);
  });

  it('hides a customer whose address a quarantined line writes whole (after a JSON \\n, before a dot, after %20, camelCase, drawn right to left) or a valid withdrawal percent-encoded, with a braille blank or drawn right to left, and keeps serving one whose address only ends another (ally@ is not y@)', () => {
    const report = builtReport(writeAddressesWholeLanding());
    expect(report.quarantined.customer).toBe(9);
    // ally, jack's line under its key as written and as drawn (unknown, but named), and frank's, gina's and hank's withdrawals.
    expect(report.consentUncertain).toBe(16);
    // lice and y, whose devices have no reading.
    expect(report.tables.customer_trusted.rows).toBe(2);
    expect(report.tables.step_trainer_trusted.rows).toBe(0);
  });

  it('hides a customer whose device another customer\'s valid record names beyond the declared fields: nested, under an undeclared key, in an array or free text (BEYOND_DECLARED)', () => {
    const report = builtReport(writeRespelledLanding(BEYOND_DECLARED, withheldBeyond));
    // Every writer's record is accepted; each names a device that is then another email's too.
    expect(report.quarantined.customer).toBe(0);
    expect(report.consentUncertain).toBe(BEYOND_DECLARED.length);
    expectBobAlone(report);
  });

  it('keeps serving a customer whose own record names their own device beyond the declared fields, and a consenting writer who names another\'s, whom it hides', () => {
    const landing = makeTempDir();
    writeLanding(landing, 'customer', [
      customerRecord({ name: 'alice', serial: 'serial-alice' }),
      { ...customerRecord({ name: 'bob', serial: 'serial-bob' }), meta: { serialNumber: 'SERIAL-BOB', devices: ['serial-bob'] } },
      { ...customerRecord({ name: 'mallory', serial: 'serial-mallory' }), previousSerialNumber: 'serial-alice' },
    ]);
    writeLanding(landing, 'accelerometer', ['alice', 'bob', 'mallory'].map((name) => accelerometerRecord(name, 1_655_000_001_000)));
    writeLanding(landing, 'step_trainer', ['alice', 'bob', 'mallory'].map((name) => stepTrainerRecord(`serial-${name}`, 1_655_000_001_000)));
    const report = builtReport(landing);
    expect(report.consentUncertain).toBe(1);
    // alice's device is mallory's claim too: alice and her reading are out; bob and mallory are served, with theirs.
    expect(report.tables.customer_trusted.rows).toBe(2);
    expect(report.tables.step_trainer_trusted.rows).toBe(2);
  });

  it('hides a customer whose address another customer\'s newer valid record names beyond the declared fields (as written or as an override draws it), but not one whose own record is newer, nor the writer naming themselves', () => {
    const report = builtReport(writeAddressesBeyondLanding());
    expect(report.quarantined.customer).toBe(0);
    expect(report.consentUncertain).toBe(2);
    // alice and frank and their readings are out; bob, mallory, dave, erin and gus are served, with theirs.
    expect(report.tables.customer_trusted.rows).toBe(5);
    expect(report.tables.step_trainer_trusted.rows).toBe(5);
  });

  it('searches only the members beyond the declared fields of a record that has some: an address or a serial in its declared customerName names no one', () => {
    const report = builtReport(writeDeclaredBeyondLanding());
    // bob, named in mallory's newer "note"; alice and carol, named only in her customerName, are served.
    expect(report.consentUncertain).toBe(1);
    expect(report.tables.customer_trusted.rows).toBe(3);
    expect(report.tables.step_trainer_trusted.rows).toBe(3);
  });

  describe('the search\'s kept text (STEDI_DOUBT_TEXT_BYTES)', () => {
    // 2,500 records outgrow 64 KiB of kept text, whole or by the 30-odd bytes each adds.
    const CUSTOMERS = 2_500;
    const small = { STEDI_DOUBT_TEXT_BYTES: '65536' };
    const landingWith = (extra: (k: number) => Record<string, unknown>): string => {
      const landing = makeTempDir();
      writeLanding(landing, 'customer', Array.from({ length: CUSTOMERS }, (_, k) => ({ ...customerRecord({ name: `c${k}`, serial: `serial-c${k}` }), ...extra(k) })));
      writeLanding(landing, 'accelerometer', [accelerometerRecord('c0', 1_655_000_001_000)]);
      writeLanding(landing, 'step_trainer', [stepTrainerRecord('serial-c0', 1_655_000_001_000)]);
      return landing;
    };
    const built = (landing: string) => {
      const run = runBin(['build', '--landing', landing, '--lake', makeTempDir(), '--json'], small);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      return JSON.parse(run.stdout);
    };

    it('is not spent by a harmless field a producer adds to every record: every consenting customer is still served', () => {
      const report = built(landingWith(() => ({ source: 'app', schemaVersion: 2 })));
      expect(report.consentUncertain).toBe(0);
      expect(report.tables.customer_trusted.rows).toBe(CUSTOMERS);
    });

    it('is not spent by an address every record repeats beyond its declared fields', () => {
      const report = built(landingWith(() => ({ createdBy: 'etl@stedi.example' })));
      expect(report.consentUncertain).toBe(0);
      expect(report.tables.customer_trusted.rows).toBe(CUSTOMERS);
    });

    it('still fails closed once text that may name someone outgrows it: every customer is hidden', () => {
      const report = built(landingWith((k) => ({ note: `ticket ${k}@ ${'x'.repeat(250)}` })));
      expect(report.consentUncertain).toBe(CUSTOMERS);
      expect(report.tables.customer_trusted.rows).toBe(0);
    });
  });

  it('hides a customer whose device a quarantined line of another customer names, as a valid non-consenting record would', () => {
    const landing = writeSmallLanding();
    // mallory's record naming alice's device (in upper case) has a date nobody can read: it may be a withdrawal on that device.
    const line = JSON.stringify(customerRecord({ name: 'mallory', serial: 'SERIAL-ALICE', consentAt: null })).replace(/"lastUpdateDate":\d+/, '"lastUpdateDate":"2022-06-23"');
    writeLanding(landing, 'customer', [line], 'customer-2.json');
    const report = builtReport(landing);
    expect(report.quarantined.customer).toBe(1);
    // alice, whose device it names, and mallory, named by email (counted though she has no valid record).
    expect(report.consentUncertain).toBe(2);
    expect(report.tables.customer_trusted.rows).toBe(1);
    // bob's one reading stays; alice's two do not.
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
  });

  it('hides a customer whose device an older quarantined line of another customer names while the line is in landing, whatever newer records its writer has', () => {
    const landing = writeSmallLanding();
    // mallory's record on alice's device, older than alice's record (1_655_000_000_000), refused for its phone: its date is read.
    const line = JSON.stringify({ ...customerRecord({ name: 'mallory', serial: 'serial-alice', consentAt: null, updatedAt: 1_654_000_000_000 }), phone: 8015551212 });
    writeLanding(landing, 'customer', [line], 'customer-2.json');
    const hidden = JSON.parse(build(landing, makeTempDir()).stdout);
    expect(hidden.quarantined.customer).toBe(1);
    // A valid record of mallory's at that date would name the device beside alice's newer one: alice's newer record does not clear it.
    expect(hidden.tables.customer_trusted.rows).toBe(1);
    expect(hidden.tables.step_trainer_trusted.rows).toBe(1);
    // mallory's newer valid record, on a device of her own, does not clear it either: a valid record of hers on alice's
    // device, however old, would make it ambiguous. alice stays out, counted as uncertain.
    writeLanding(landing, 'customer', [customerRecord({ name: 'mallory', serial: 'serial-mallory', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-3.json');
    const still = JSON.parse(build(landing, makeTempDir()).stdout);
    expect(still.consentUncertain).toBe(1);
    expect(still.tables.customer_trusted.rows).toBe(1);
    expect(still.tables.step_trainer_trusted.rows).toBe(1);
    // Taken out of landing, the line holds nothing back: alice is served again.
    writeFileSync(join(landing, 'customer', 'landing', 'customer-2.json'), '');
    const cleared = JSON.parse(build(landing, makeTempDir()).stdout);
    expect(cleared.consentUncertain).toBe(0);
    expect(cleared.tables.customer_trusted.rows).toBe(2);
    expect(cleared.tables.step_trainer_trusted.rows).toBe(3);
  });

  it('clears a customer\'s own older quarantined line naming their device once they write a newer valid record', () => {
    const landing = writeSmallLanding();
    // alice's own record, refused for its phone (its date read), newer than her valid one: perhaps a withdrawal.
    const line = JSON.stringify({ ...customerRecord({ name: 'alice', serial: 'SERIAL-ALICE', consentAt: null, updatedAt: 1_655_500_000_000 }), phone: 8015551212 });
    writeLanding(landing, 'customer', [line], 'customer-2.json');
    const hidden = JSON.parse(build(landing, makeTempDir()).stdout);
    expect(hidden.consentUncertain).toBe(1);
    expect(hidden.tables.customer_trusted.rows).toBe(1);
    // Her newer grant on the same device supersedes it, as it supersedes her email's doubt.
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', updatedAt: 1_656_000_000_000 })], 'customer-3.json');
    const cleared = JSON.parse(build(landing, makeTempDir()).stdout);
    expect(cleared.consentUncertain).toBe(0);
    expect(cleared.tables.customer_trusted.rows).toBe(2);
    expect(cleared.tables.step_trainer_trusted.rows).toBe(3);
  });

  it.each([
    // mallory is counted too where her address is under a JSON email key (she has no valid record).
    ['under a key in other case', JSON.stringify({ ...customerRecord({ name: 'mallory', serial: 'x', consentAt: null }), serialNumber: undefined, SerialNumber: 'serial-alice' }), 2],
    ['under a key with a space in it', JSON.stringify({ ...customerRecord({ name: 'mallory', serial: 'x', consentAt: null }), serialNumber: undefined, ' serialNumber': 'serial-alice' }), 2],
    ['in a line that is not JSON', "{'email': 'mallory@test.com', 'serialnumber': 'Serial-Alice', 'shareWithResearchAsOfDate': None}", 1],
    ['in a form body, percent-encoded', 'email=mallory%40test.com&serial=serial%2Dalice&shareWithResearchAsOfDate=', 1],
    ['in an XML line, as character references', '<customer><email>mallory&#64;test.com</email><serialNumber>serial&#x2D;alice</serialNumber></customer>', 1],
  ])('hides a customer whose device a quarantined line of another customer names %s', (_how, line, uncertain) => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [line], 'customer-2.json');
    const report = JSON.parse(build(landing, makeTempDir()).stdout);
    expect(report.quarantined.customer).toBe(1);
    expect(report.consentUncertain).toBe(uncertain);
    // bob's one reading stays; alice's two do not.
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
  });

  it.each([
    // alice's newer record grants under the declared key and withholds under another spelling of it: which is meant?
    ['withholds consent under another spelling of its key', { ...customerRecord({ name: 'alice', serial: 'serial-alice', updatedAt: 1_656_000_000_000 }), ShareWithResearchAsOfDate: null }],
    ['withholds consent under a snake_case spelling of its key', { ...customerRecord({ name: 'alice', serial: 'serial-alice', updatedAt: 1_656_000_000_000 }), share_with_research_as_of_date: null }],
    // mallory, who never consents, names her own device and alice's under a key in other case.
    ['names another customer\'s device under another spelling of its key', { ...customerRecord({ name: 'mallory', serial: 'serial-mallory', consentAt: null }), SerialNumber: 'serial-alice' }],
  ])('quarantines, and hides the customer, a line otherwise valid that %s', (_how, record) => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [record], 'customer-2.json');
    const report = JSON.parse(build(landing, makeTempDir()).stdout);
    expect(report.quarantined.customer).toBe(1);
    expect(quarantineOf(report, 'customer')[0].reason).toMatch(/^another spelling of key "(shareWithResearchAsOfDate|serialNumber)"$/);
    // bob's one reading stays; alice's two do not.
    expect(report.tables.customer_trusted.rows).toBe(1);
    expect(report.tables.step_trainer_trusted.rows).toBe(1);
  });

  it('keeps a quarantined line in the quarantine file only, and fails with one stderr line that names the folder', () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [`{"email": "${emailOf('secret')}", broken`], 'customer-2.json');
    const lake = makeTempDir();
    const ok = build(landing, lake);
    expect(ok.status).toBe(0);
    expect(`${ok.stdout}${ok.stderr}`).not.toContain(emailOf('secret'));
    expect(quarantineOf(JSON.parse(ok.stdout), 'customer')[0].line).toContain(emailOf('secret'));
    const run = runBin(['build', '--landing', join(landing, 'nowhere'), '--lake', lake]);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(join(landing, 'nowhere', 'customer', 'landing'));
  });
});

describe('stedi build and the erasure bound', () => {
  it('expires every older kept version that still holds a customer who revoked consent', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    // The older versions are built in this process: what is asserted is the build after the revocation.
    await buildLake(landing, lake);
    writeLanding(landing, 'accelerometer', [{ user: emailOf('bob'), timestamp: 1_655_000_005_000, x: 1, y: 1, z: 1 }], 'accelerometer-2.json');
    await buildLake(landing, lake);
    expect(JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout).keptVersions).toHaveLength(2);
    expect(await parquetFilesHolding(lake, 'serial-alice')).not.toEqual([]);

    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const run = build(landing, lake);
    expect(run.status).toBe(0);
    const status = JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout);
    expect(status.keptVersions.map((v: { version: string }) => v.version)).toEqual([JSON.parse(run.stdout).version]);
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
    expect(await parquetFilesHolding(lake, emailOf('alice'))).toEqual([]);
  });

  it('expires every older kept version that holds a device a non-consenting customer now names', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    await buildLake(landing, lake);
    expect(await parquetFilesHolding(lake, 'serial-alice')).not.toEqual([]);

    // mallory, who does not consent, names alice's device: its readings may be hers, and no new build serves them.
    writeLanding(landing, 'customer', [customerRecord({ name: 'mallory', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const run = build(landing, lake);
    expect(run.status).toBe(0);
    const status = JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout);
    expect(status.keptVersions.map((v: { version: string }) => v.version)).toEqual([JSON.parse(run.stdout).version]);
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
  });

  it.each(['any', 'as-of'] as const)('expires every older kept version that holds a device another consenting customer now names (policy %s)', async (policy) => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    await buildLake(landing, lake, { consentPolicy: policy });
    expect(await parquetFilesHolding(lake, 'serial-alice')).not.toEqual([]);

    // dave, who consents, names alice's device: it is ambiguous (it may hold dave's readings, or alice's from before
    // her consent under as-of), no new build serves it, and no kept version may hold it.
    writeLanding(landing, 'customer', [customerRecord({ name: 'dave', serial: 'serial-alice', updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    const run = build(landing, lake, '--consent-policy', policy);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).ambiguousSerials).toBe(1);
    const status = JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout);
    expect(status.keptVersions.map((v: { version: string }) => v.version)).toEqual([JSON.parse(run.stdout).version]);
    expect(await parquetFilesHolding(lake, 'serial-alice')).toEqual([]);
  });
});

describe('stedi build on a landing file still being written', () => {
  jest.setTimeout(120_000);

  it('never reads past what the file held when opened (a writer that never stops kept the build reading for ever), and builds again once it was appended to', async () => {
    const landing = writeSmallLanding();
    const file = join(landing, 'accelerometer', 'landing', 'accelerometer-1.json');
    const accepted = readFileSync(file, 'utf8').trim().split('\n').length;
    // A long run of NUL bytes (sparse: no disk), one overlong line, so the build is still reading it when the writer appends.
    truncateSync(file, statSync(file).size + 200 * 1024 * 1024);
    const lake = makeTempDir();
    const running = spawnBin(['build', '--landing', landing, '--lake', lake, '--json']);
    // Reading has begun (the file's offset moved): the reader has sized the file by then.
    const reading = (): boolean => {
      const fds = `/proc/${running.child.pid}/fd`;
      try {
        return readdirSync(fds).some((fd) => readlinkSync(`${fds}/${fd}`) === file && Number(/^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${running.child.pid}/fdinfo/${fd}`, 'utf8'))?.[1]) > 0);
      } catch {
        return false;
      }
    };
    let done = false;
    void running.exited.then(() => (done = true));
    while (!done && !reading()) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(done).toBe(false);
    appendFileSync(file, `\n${'{"user":"alice@test.com","timestamp":1655000009000,"x":1,"y":2,"z":3}\n'.repeat(1000)}`);
    expect(await running.exited).toBe(0);
    // A reading file only appended to was read as it was when opened: none of the appended lines, no build again.
    expect(running.stderr()).toBe('');
    const report = JSON.parse(running.stdout());
    expect({ accepted: report.tables.accelerometer_landing.rows, quarantined: report.quarantined.accelerometer }).toEqual({ accepted, quarantined: 1 });
  });
});

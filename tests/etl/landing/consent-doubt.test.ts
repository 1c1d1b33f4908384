import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsentDoubt } from '../../../etl/landing/consent-doubt';
import { CHUNK_BYTES } from '../../../etl/landing/landing-blocks';
import { readLanding } from '../../../etl/landing/landing-reader';
import { TABLES } from '../../../etl/tables';
import { makeTempDir } from '../../helpers/landing-fixture';

/**
 * Doubt hides: a quarantined customer line naming an email is a revocation
 * with a typo until a valid record with a later lastUpdateDate clears it;
 * when its date cannot be read, only fixing the line does. The bad line's
 * date must be read as written, or an older grant clears a newer revocation.
 */

const COLUMNS = TABLES.customer_landing.columns;
const ignore = { accept: () => undefined, quarantine: () => undefined };

const customer = (fields: Record<string, unknown>): Record<string, unknown> => ({
  customerName: 'N',
  email: 'a@x.com',
  phone: '1',
  birthDay: '1990-01-01',
  serialNumber: 'S1',
  registrationDate: 1600000000000,
  lastUpdateDate: 1600000000000,
  shareWithResearchAsOfDate: 1600000000000,
  ...fields,
});
const grant = JSON.stringify(customer({}));

/** The emails left uncertain by `badLine` after a valid grant of 1600000000000 earlier in the file. */
async function uncertainAfter(badLine: string): Promise<string[]> {
  const file = join(makeTempDir(), 'customers.json');
  writeFileSync(file, `${grant}\n${badLine}\n`);
  const tally = await readLanding([file], COLUMNS, ignore, { consentDoubt: true });
  expect(tally.quarantined).toBe(1);
  return tally.uncertain;
}

/** A revocation quarantined for its numeric phone, its lastUpdateDate written as `date`. */
const revocationDated = (date: string): string =>
  JSON.stringify(customer({ phone: 5, shareWithResearchAsOfDate: null, lastUpdateDate: 0 })).replace('"lastUpdateDate":0', `"lastUpdateDate":${date}`);

describe('doubt hides: a quarantined revocation is never cleared by an older grant', () => {
  it.each(['1.7e12', '17E11', '1700000000000.0', '1.7E+12'])('reads a lastUpdateDate written %s as the whole number, not its leading digits', async (date) => {
    expect(await uncertainAfter(revocationDated(date))).toEqual(['a@x.com']);
  });

  it.each(['1.5', '1-2', '1e400', '2e16'])('takes a lastUpdateDate of %s (no whole number within 2^53) as unreadable', async (date) => {
    expect(await uncertainAfter(revocationDated(date))).toEqual(['a@x.com']);
  });

  // Compared as written, 1656000000 (seconds: 2022-06-23) is older than the grant's 1600000000000 ms and would clear the doubt.
  it.each(['1656000000', '1.656e9', '0', '-1700000000000'])('takes a lastUpdateDate of %s (below 10^11: in seconds, not milliseconds) as unreadable', async (date) => {
    expect(await uncertainAfter(revocationDated(date))).toEqual(['a@x.com']);
  });

  it.each(['1,700,000,000,000', '1_700_000_000_000', '0x18BCFE56800', '1700 000 000 000'])('takes a lastUpdateDate written %s as unreadable, not as its leading digits', async (date) => {
    expect(await uncertainAfter(revocationDated(date))).toEqual(['a@x.com']);
  });

  it('takes the lastUpdateDate of a line cut short inside it as unreadable', async () => {
    const cut = revocationDated('1700000000000').replace(/"lastUpdateDate":1700000000000.*$/, '"lastUpdateDate":170000000000');
    expect(await uncertainAfter(cut)).toEqual(['a@x.com']);
  });

  it('is not cleared by a valid record later in landing order when the bad line has no date to compare (a file named later may hold an older record)', async () => {
    const folder = makeTempDir();
    writeFileSync(join(folder, 'customer-10.json'), `${revocationDated('"2023-11-14T00:00:00Z"')}\n`);
    writeFileSync(join(folder, 'customer-9.json'), `${grant}\n`);
    const tally = await readLanding([join(folder, 'customer-10.json'), join(folder, 'customer-9.json')], COLUMNS, ignore, { consentDoubt: true });
    expect(tally).toMatchObject({ accepted: 1, quarantined: 1, uncertain: ['a@x.com'] });
  });

  it('takes a lastUpdateDate it cannot read whole (a string beside a nested number) as unreadable', async () => {
    const revocation = JSON.stringify(customer({ lastUpdateDate: '1700000000000', shareWithResearchAsOfDate: null, meta: { lastUpdateDate: 1 } }));
    expect(await uncertainAfter(revocation)).toEqual(['a@x.com']);
  });

  it('still clears a doubt whose lastUpdateDate is older than a valid record, however it is written', async () => {
    expect(await uncertainAfter(revocationDated('1500000000000'))).toEqual([]);
    expect(await uncertainAfter(revocationDated('1.5e12'))).toEqual([]);
  });
});


describe('doubt hides: a revocation is read wherever its line names the email', () => {
  it('reads an email key written with \\u escapes', async () => {
    const revocation = JSON.stringify(customer({ phone: 5, shareWithResearchAsOfDate: null, lastUpdateDate: 1700000000000 })).replace('"email"', '"\\u0065m\\u0061\\u0069\\u006C"');
    expect(await uncertainAfter(revocation)).toEqual(['a@x.com']);
  });

  it('does not read a key that only looks like email once its escapes are read (an escaped backslash)', async () => {
    const other = JSON.stringify(customer({ phone: 5 })).replace('"email":"a@x.com"', '"email":"a@x.com","\\\\u0065mail":"b@x.com"');
    expect(await uncertainAfter(other)).toEqual(['a@x.com']);
  });

  it('reads the email of a line over the size limit from past its first MiB, and its date not at all', async () => {
    const revocation = JSON.stringify({ note: 'n'.repeat(1024 * 1024), ...customer({ shareWithResearchAsOfDate: null, lastUpdateDate: 1 }) });
    expect(await uncertainAfter(revocation)).toEqual(['a@x.com']);
  });

  it('reads an email split between two reads of a line too long to hold, and no later valid record clears it', async () => {
    const file = join(makeTempDir(), 'customers.json');
    const head = '{"note":"';
    const keyAt = CHUNK_BYTES - 3; // the key "email" straddles the end of the first read
    const note = 'n'.repeat(keyAt - (grant.length + 1) - head.length - 2);
    const revocation = `${head}${note}",${JSON.stringify(customer({ shareWithResearchAsOfDate: null })).slice(1)}`;
    expect(Buffer.byteLength(`${grant}\n${head}${note}",`)).toBe(keyAt);
    writeFileSync(file, `${grant}\n${revocation}\n`);
    const tally = await readLanding([file], COLUMNS, ignore, { consentDoubt: true });
    expect(tally).toMatchObject({ lines: 2, accepted: 1, quarantined: 1, uncertain: ['a@x.com'] });

    writeFileSync(file, `${grant}\n${revocation}\n${JSON.stringify(customer({ lastUpdateDate: 1800000000000 }))}\n`);
    const later = await readLanding([file], COLUMNS, ignore, { consentDoubt: true });
    expect(later).toMatchObject({ lines: 3, accepted: 2, quarantined: 1, uncertain: ['a@x.com'] });
  });
});

describe('doubt hides: only a line that has a lastUpdateDate has a date', () => {
  it.each([
    ['malformed JSON', '{"customerName":"N","email":"a@x.com","serialNumber":"S1","registrationDate":1,"shareWithResearchAsOfDate":null,"audit":{"lastUpdateDate":1},}'],
    ['another field missing', '{"email":"a@x.com","shareWithResearchAsOfDate":null,"previous":{"lastUpdateDate":1}}'],
    ['another field of the wrong type', '{"customerName":"N","email":"a@x.com","serialNumber":"S1","registrationDate":"2022-04-15","shareWithResearchAsOfDate":null,"history":[{"lastUpdateDate":1}]}'],
  ])('does not take a nested lastUpdateDate for the date of a line refused for %s', async (_why, line) => {
    expect(await uncertainAfter(line)).toEqual(['a@x.com']);
  });

  it('does not take a nested lastUpdateDate for the date of a revocation that lacks its own', async () => {
    // Older than the grant: read as the line's date, it would let the grant clear the revocation.
    const revocation = JSON.stringify({ ...customer({ shareWithResearchAsOfDate: null, meta: { lastUpdateDate: 1 } }), lastUpdateDate: undefined });
    expect(await uncertainAfter(revocation)).toEqual(['a@x.com']);
  });
});

describe('doubt hides: an address is read however the bad line quotes or keys it', () => {
  it.each([
    ['a Python dict', "{'customerName': 'N', 'email': 'a@x.com', 'lastUpdateDate': 1700000000000, 'shareWithResearchAsOfDate': None}"],
    ['unquoted keys', '{customerName: "N", email: "a@x.com", lastUpdateDate: 1700000000000, shareWithResearchAsOfDate: null}'],
    ['a single-quoted value', `{"customerName":"N","email":'a@x.com',"lastUpdateDate":1700000000000,"shareWithResearchAsOfDate":null}`],
    ['a comment before the value', '{"customerName":"N","email": /*fix*/ "a@x.com","lastUpdateDate":1700000000000,"shareWithResearchAsOfDate":null}'],
    ['an array', '{"customerName":"N","email":["a@x.com"],"serialNumber":"S1","lastUpdateDate":1700000000000,"shareWithResearchAsOfDate":null}'],
  ])('hides a customer named in %s', async (_how, line) => {
    expect(await uncertainAfter(line)).toEqual(['a@x.com']);
  });

  it.each([
    ['a log line of key=value pairs', 'level=info action=revoke email=a@x.com shareWithResearchAsOfDate=null'],
    ['a URL', '/consent?email=a@x.com&research=false'],
    ['a sentence ending in a full stop', 'Please revoke research consent for a@x.com.'],
    ['Markdown emphasis', '**a@x.com** revoked'],
    ['curly quotes', '{“email”: “a@x.com”, “shareWithResearchAsOfDate”: null}'],
    ['upper-case letters', '{"email": "A@X.COM", "shareWithResearchAsOfDate": null,'],
    ['a NUL byte stuck to it', `{"customerName":"N","email":"a@x.com\u0000","shareWithResearchAsOfDate":null}`.replace('\\u0000', '\u0000')],
  ])('hides a customer whose address appears in %s', async (_how, line) => {
    // Under an email key, the address as written counts too (A@X.COM), though no customer has it.
    expect(await uncertainAfter(line)).toContain('a@x.com');
  });

  it.each([
    ['in full-width letters', '\uff41@x.com'],
    ['in full-width capitals', '\uff21@\uff38.\uff23\uff2f\uff2d'],
    ['with a zero-width space', 'a\u200b@x.com'],
    ['with a NUL escaped', 'a\\u0000@x.com'],
    ['with a soft hyphen', 'a\u00ad@x.com'],
  ])('hides a customer whose address is written under the email key %s, another spelling of it (email-spelling.ts)', async (_how, email) => {
    const line = `{"customerName":"N","email":"${email}","lastUpdateDate":1700000000000,"shareWithResearchAsOfDate":null`;
    expect(await uncertainAfter(line)).toContain('a@x.com');
  });

  it('clears a doubt on another spelling of the address as it clears one on the address itself: by a newer valid record', async () => {
    const older = JSON.stringify(customer({ email: '\uff41@x.com', phone: 5, shareWithResearchAsOfDate: null, lastUpdateDate: 1500000000000 }));
    expect(await uncertainAfter(older)).toEqual(['\uff41@x.com']);
  });

  it('does not hide a customer whose address only looks like the one under the key (a Cyrillic а)', async () => {
    expect(await uncertainAfter('{"email": "\u0430@x.com", "phone": 5}')).toEqual(['\u0430@x.com']);
  });

  it('counts an address no accepted record has only when it is written under an email key', async () => {
    expect(await uncertainAfter("{'email': 'nobody@x.com', 'note': 'see a@x.com'}")).toEqual(['a@x.com']);
    expect(await uncertainAfter('{"email": "nobody@x.com", "phone": 5}')).toEqual(['nobody@x.com']);
  });

  it('weighs the keys against a spelling\'s accepted emails once each, not every key against every one (a hostile landing of n of each took n² steps)', () => {
    // n accepted emails and n quarantined keys, all spelling a@x.com: 20,000 of each took a build over a minute.
    const n = 300;
    const invisible = (i: number): string => String.fromCodePoint(0x2000 + (i % 16), 0x2000 + Math.floor(i / 16) % 16, 0xe0020 + Math.floor(i / 256));
    const doubt = new ConsentDoubt();
    for (let i = 0; i < n; i += 1) doubt.accepted(`a@x.com${invisible(i)}`, 1);
    for (let i = 0; i < n; i += 1) doubt.quarantined(JSON.stringify({ email: `a@x.com\u200b${invisible(i)}`, phone: 5 }), 2);
    const lookups = jest.spyOn(Map.prototype, 'get');
    let uncertain: string[];
    let steps: number;
    try {
      uncertain = doubt.uncertain();
    } finally {
      steps = lookups.mock.calls.length;
      lookups.mockRestore();
    }
    expect(uncertain).toHaveLength(2 * n);
    expect(steps).toBeLessThan(20 * n);
  });

  it('searches bad lines for a spelling only its lone accepted email has, not for each of the n that share one (n lines naming them made n² matches)', () => {
    const n = 300;
    const invisible = (i: number): string => String.fromCodePoint(0x2000 + (i % 16), 0x2000 + Math.floor(i / 16) % 16, 0xe0020 + Math.floor(i / 256));
    const doubt = new ConsentDoubt();
    for (let i = 0; i < n; i += 1) doubt.accepted(`a@x.com${invisible(i)}`, 1);
    doubt.accepted('b@x.com', 1);
    // Not JSON, so only the search of the line's text finds the addresses, by their spellings.
    for (let i = 0; i < n; i += 1) doubt.quarantined(`{'email': 'a@x.com${invisible(i)}\u200b', 'note': 'b@x.com'}`, 2);
    const lookups = jest.spyOn(Map.prototype, 'get');
    const matches = jest.spyOn(Set.prototype, 'add');
    let uncertain: string[];
    let steps: number;
    try {
      uncertain = doubt.uncertain();
    } finally {
      steps = lookups.mock.calls.length + matches.mock.calls.length;
      lookups.mockRestore();
      matches.mockRestore();
    }
    expect(uncertain).toHaveLength(n + 1);
    expect(steps).toBeLessThan(40 * n);
  });

  it('reads a line holding a million characters with no stop among them (a pattern retried at each start would not end)', async () => {
    expect(await uncertainAfter(`{'pad': '${'p'.repeat(1_000_000)}', 'email': 'a@x.com'}`)).toEqual(['a@x.com']);
  });
});

describe('doubt hides: a device is read however the bad line keys or writes its serial', () => {
  /** The emails left uncertain by `badLine` after a's grant on device S1-DEVICE (and b's own grant on S2). */
  async function uncertainNaming(badLine: string, after: string[] = []): Promise<string[]> {
    const file = join(makeTempDir(), 'customers.json');
    const grants = [JSON.stringify(customer({ serialNumber: 'S1-DEVICE' })), JSON.stringify(customer({ email: 'b@x.com', serialNumber: 'S2' }))];
    writeFileSync(file, [...grants, badLine, ...after].join('\n') + '\n');
    return (await readLanding([file], COLUMNS, ignore, { consentDoubt: true })).uncertain;
  }

  it.each([
    ['under a key in other case', JSON.stringify({ ...customer({ email: 'm@x.com', shareWithResearchAsOfDate: null }), serialNumber: undefined, SerialNumber: 'S1-DEVICE' })],
    ['under a key in lower case', JSON.stringify({ ...customer({ email: 'm@x.com', shareWithResearchAsOfDate: null }), serialNumber: undefined, serialnumber: 's1-device' })],
    ['under a key with a space in it', JSON.stringify({ ...customer({ email: 'm@x.com', shareWithResearchAsOfDate: null }), serialNumber: undefined, ' serialNumber': 'S1-DEVICE' })],
    ['in a Python dict', "{'serialNumber': 'S1-DEVICE', 'email': 'm@x.com', 'shareWithResearchAsOfDate': None}"],
    ['in a form body, percent-encoded', 'serial=S1%2DDEVICE&email=m%40x.com'],
    ['in plain text, spaced out and in other case', 'm@x.com withdrew, device s 1 - d e v i c e'],
    ['as JSON escapes', '{"device": "\\u0053\\u0031-DEVICE", "email": "m@x.com"'],
    ['with a tab written as JSON writes it', '{"device": "S1-\\tDEVICE"'],
  ])('puts the device holder in doubt when a line names the device %s', async (_how, line) => {
    expect(await uncertainNaming(line)).toContain('a@x.com');
  });

  it('does not put in doubt a device the line does not name', async () => {
    expect(await uncertainNaming("{'serialNumber': 'S3', 'email': 'm@x.com'}")).toEqual([]);
  });

  it('is not cleared by another writer\'s newer valid record (their line, however old, makes the device ambiguous) nor by the holder\'s', async () => {
    const line = JSON.stringify({ ...customer({ email: 'm@x.com', shareWithResearchAsOfDate: null, lastUpdateDate: 1700000000000 }), serialNumber: undefined, SerialNumber: 'S1-DEVICE' });
    const writerNewer = JSON.stringify(customer({ email: 'm@x.com', serialNumber: 'M', lastUpdateDate: 1800000000000 }));
    const holderNewer = JSON.stringify(customer({ serialNumber: 'S1-DEVICE', lastUpdateDate: 1800000000000 }));
    expect(await uncertainNaming(line, [writerNewer])).toEqual(['a@x.com']);
    expect(await uncertainNaming(line, [holderNewer])).toContain('a@x.com');
  });

  it('is cleared by the holder\'s newer valid record when the holder wrote the line (under any spelling of their lone address)', async () => {
    for (const writer of ['a@x.com', 'A@X.COM', '\uff41@x.com']) {
      const line = JSON.stringify({ ...customer({ email: writer, shareWithResearchAsOfDate: null, lastUpdateDate: 1700000000000 }), serialNumber: undefined, SerialNumber: 'S1-DEVICE' });
      const holderNewer = JSON.stringify(customer({ serialNumber: 'S1-DEVICE', lastUpdateDate: 1800000000000 }));
      expect(await uncertainNaming(line)).toContain('a@x.com');
      expect(await uncertainNaming(line, [holderNewer])).not.toContain('a@x.com');
    }
  });

  it('reads a device from past the first MiB of a line over the size limit, escaped or not', async () => {
    const pad = 'n'.repeat(CHUNK_BYTES + 10);
    expect(await uncertainNaming(`{"note": "${pad}", "Serial": "S1-DEVICE"}`)).toContain('a@x.com');
    expect(await uncertainNaming(`{"note": "${pad}", "Serial": "\\u0053\\u0031-DEVICE"}`)).toContain('a@x.com');
  });

  it('reads a device split between two reads of a line too long to hold', async () => {
    const file = join(makeTempDir(), 'customers.json');
    const grant = JSON.stringify(customer({ serialNumber: 'S1-DEVICE' }));
    // The serial straddles the end of the first read.
    const head = `{"note":"${'n'.repeat(CHUNK_BYTES - 4 - (grant.length + 1) - 21)}","Serial":"`;
    writeFileSync(file, `${grant}\n${head}S1-DEVICE"}\n`);
    expect(Buffer.byteLength(`${grant}\n${head}`)).toBeLessThan(CHUNK_BYTES);
    expect(Buffer.byteLength(`${grant}\n${head}S1-DEVICE`)).toBeGreaterThan(CHUNK_BYTES);
    expect((await readLanding([file], COLUMNS, ignore, { consentDoubt: true })).uncertain).toEqual(['a@x.com']);
  });
});

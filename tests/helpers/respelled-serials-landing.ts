import { accelerometerRecord, customerRecord, makeTempDir, stepTrainerRecord, writeLanding } from './landing-fixture';

/**
 * A landing where each of several consenting customers' devices is named by one never-consenting writer, each
 * writing the serial another way, beside bob, whom nobody names: a build must serve bob only (devices follow consent).
 * One build tries every spelling (a build per spelling cost a second or two each).
 */

/** Serials a customer line may carry that are not visible ASCII, each naming `serial` (quarantined: devices follow consent). */
export const INVISIBLE_IN_SERIAL: ReadonlyArray<readonly [string, (serial: string) => string]> = [
  ['a space before and a tab after it', (s) => ` ${s}\t`],
  ['a no-break space after it', (s) => `${s}\u00a0`],
  ['a zero-width space, a carriage return and a byte order mark in it', (s) => `\ufeff${s.slice(0, 4)}\u200b${s.slice(4)}\r`],
  ['a NUL inside (written \\u0000)', (s) => `${s.slice(0, 4)}\u0000${s.slice(4)}`],
  ['a 0x01 and a DEL inside', (s) => `${s.slice(0, 4)}\u0001${s.slice(4, 6)}\u007f${s.slice(6)}`],
  ['C1 controls inside', (s) => `${s.slice(0, 4)}\u0085${s.slice(4, 6)}\u009f${s.slice(6)}`],
  ['invisible operators U+2061 to U+2064', (s) => `\u2061${s.slice(0, 4)}\u2062${s.slice(4)}\u2063\u2064`],
  ['a Mongolian vowel separator and a byte order mark inside', (s) => `${s.slice(0, 4)}\u180e${s.slice(4, 6)}\ufeff${s.slice(6)}`],
  ['variation selectors', (s) => `${s.slice(0, 4)}\ufe0f${s.slice(4)}\u{e0100}`],
  ['tag characters', (s) => `${s}\u{e0001}\u{e0041}\u{e007f}`],
  ['Hangul fillers', (s) => `${s.slice(0, 4)}\u3164${s.slice(4, 6)}\u115f${s.slice(6)}\uffa0`],
  ['a combining grapheme joiner, in capitals', (s) => `${s.slice(0, 4)}\u034f${s.slice(4)}`.toUpperCase()],
];

/** Quarantined lines (not JSON) of a writer who withholds consent, naming `serial` with an escape or a mark inside it. */
export const ESCAPED_IN_BAD_LINE: ReadonlyArray<readonly [string, (serial: string) => string]> = [
  ['\\r', (s) => `${s.slice(0, 4)}\\r${s.slice(4)}`],
  ['\\n, in capitals', (s) => `${s.slice(0, 4).toUpperCase()}\\n${s.slice(4).toUpperCase()}`],
  ['\\t escaped again (\\\\t)', (s) => `${s.slice(0, 4)}\\\\t${s.slice(4)}`],
  ['\\0 and \\v', (s) => `${s.slice(0, 4)}\\0${s.slice(4, 6)}\\v${s.slice(6)}`],
  ['an octal \\040', (s) => `${s.slice(0, 4)}\\040${s.slice(4)}`],
  ['\\u200B, in capitals', (s) => `${s.slice(0, 4).toUpperCase()}\\u200B${s.slice(4).toUpperCase()}`],
  ['\\u2061 and \\U000E0041', (s) => `${s.slice(0, 4)}\\u2061${s.slice(4)}\\U000E0041`],
  ['\\u007f', (s) => `${s.slice(0, 4)}\\u007f${s.slice(4)}`],
  ['%0D%0A', (s) => `${s.slice(0, 4)}%0D%0A${s.slice(4)}`],
  ['%u200B', (s) => `${s.slice(0, 4)}%u200B${s.slice(4)}`],
  ['&nbsp; and &ZeroWidthSpace;', (s) => `${s.slice(0, 4)}&nbsp;${s.slice(4, 6)}&ZeroWidthSpace;${s.slice(6)}`],
  ['a literal Hangul filler and DEL', (s) => `${s.slice(0, 4)}\u3164${s.slice(4, 6)}\u007f${s.slice(6)}`],
];

/** A UUID's other text forms (RFC 9562), naming `serial` as valid visible ASCII: without hyphens, in braces, as a URN, all at once in capitals. */
export const UUID_FORMS: ReadonlyArray<readonly [string, (serial: string) => string]> = [
  ['without its hyphens', (s) => s.replaceAll('-', '')],
  ['in braces', (s) => `{${s}}`],
  ['as a URN', (s) => `urn:uuid:${s}`],
  ['as a URN in braces and capitals, without hyphens', (s) => `URN:UUID:{${s.replaceAll('-', '').toUpperCase()}}`],
];

const serialOf = (name: string): string => `serial-${name}-x`;

/**
 * The landing: customer `c<k>` (serial `serial-c<k>-x`: no serial holds another) consents, and writer `w<k>` (who never consents) writes
 * `lineOf(spelling k of that serial, k)`; bob consents on a device no one else names. Every customer has one reading
 * of each sensor.
 */
export function writeRespelledLanding(spellings: ReadonlyArray<readonly [string, (serial: string) => string]>, lineOf: (serial: string, k: number) => string): string {
  const landing = makeTempDir();
  const names = spellings.map((_, k) => `c${k}`);
  writeLanding(landing, 'customer', [...[...names, 'bob'].map((name) => customerRecord({ name, serial: serialOf(name) })), ...spellings.map(([, respell], k) => lineOf(respell(serialOf(`c${k}`)), k))]);
  writeLanding(landing, 'accelerometer', [...names, 'bob'].map((name) => accelerometerRecord(name, 1_655_000_001_000)));
  writeLanding(landing, 'step_trainer', [...names, 'bob'].map((name) => stepTrainerRecord(serialOf(name), 1_655_000_001_000)));
  return landing;
}

/** Writer `w<k>`'s record withholding consent on `serial`, as JSON. */
export const withheldRecord = (serial: string, k: number): string => JSON.stringify(customerRecord({ name: `w${k}`, serial, consentAt: null }));

/** Writer `w<k>`'s withdrawal on `serial`, as a Python dict (quarantined: not JSON), the serial written as is. */
export const withheldDict = (serial: string, k: number): string =>
  `{'customerName': 'w${k}', 'email': 'w${k}@test.com', 'serialNumber': '${serial}', 'shareWithResearchAsOfDate': None}`;

/**
 * Valid JSON carrying `serial` beyond a customer record's declared fields (nested, under an undeclared key, in an
 * array, in free text): withheldBeyond adds it to an otherwise valid record, which is then accepted, not quarantined.
 */
export const BEYOND_DECLARED: ReadonlyArray<readonly [string, (serial: string) => string]> = [
  ['under a nested serialNumber key', (s) => JSON.stringify({ meta: { serialNumber: s } })],
  ['under an undeclared top-level key', (s) => JSON.stringify({ previousSerialNumber: s })],
  ['in an array', (s) => JSON.stringify({ devices: ['serial-none', s] })],
  ['in free text, in capitals, as a URN with a zero-width space inside', (s) => JSON.stringify({ notes: `moved from urn:uuid:${s.slice(0, 4).toUpperCase()}\u200b${s.slice(4).toUpperCase()}` })],
  ['escaped, deep in arrays and objects', (s) => JSON.stringify({ history: [[{ at: 1, was: { id: s } }]] }).replace(s, [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''))],
];

/** Writer `w<k>`'s valid record withholding consent on a device of their own, with `extra`'s members (a JSON object's text, as written) added. */
export const withheldBeyond = (extra: string, k: number): string =>
  `${JSON.stringify(customerRecord({ name: `w${k}`, serial: `serial-w${k}-x`, consentAt: null })).slice(0, -1)},${extra.slice(1)}`;

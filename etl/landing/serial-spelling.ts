import { NOT_VISIBLE_ASCII } from './landing-rules';

/**
 * A serialNumber as the device rule compares it (devices follow consent). An accepted customer record's serial is
 * visible ASCII only (landing-rules.ts NOT_VISIBLE_ASCII: `!` to `~`): a space, a control, an invisible or a non-ASCII
 * character would make a device no listed fold could tell from another, so such a line is quarantined instead, and
 * its raw text names every device it holds (named-devices.ts). Any other text (a bad line's, a serial typed to the
 * API) is spelled with every character outside visible ASCII dropped first, so ` 50f7…` + U+2061 names `50f7…` too:
 * no list of invisible characters to keep up with, in JavaScript or in SQL.
 */

const NOT_VISIBLE = new RegExp(`${NOT_VISIBLE_ASCII}+`, 'g');
const small = (letters: string): string => letters.toLowerCase();

/** A serial as the API finds it (serial-argument.ts): visible ASCII, in lower case. */
export const serialSpellingOf = (serial: string): string => serial.replace(NOT_VISIBLE, '').replace(/[A-Z]+/g, small);

/**
 * The device a serial names: its spelling without what a UUID's other text forms add (RFC 9562: either case; a URN
 * `urn:uuid:…`, braces `{…}`, and the 32 digits without hyphens), so a non-consenting customer naming `50F7…`,
 * `{50f7…}`, `urn:uuid:50f7…` or the same digits unhyphenated names alice's `50f7…-…`. The marks go wherever they
 * stand, in that order (deviceSql does the same): two serials told apart only by them are one device, ambiguous.
 */
export const deviceOf = (serial: string): string => serialSpellingOf(serial).replaceAll('urn:uuid:', '').replace(/[{}-]+/g, '');

// Private: the UUID text forms' marks dropped from a lower-case SQL text, in deviceOf's order (replace(): both engines).
const withoutUuidMarks = (lowered: string): string => `replace(replace(replace(replace(${lowered}, 'urn:uuid:', ''), '{', ''), '}', ''), '-', '')`;

/**
 * deviceOf an accepted serial, in SQL both engines run alike (sql/trusted/customer_trusted.sql writes the same text,
 * the checks use it). A serial of visible ASCII only (every accepted one) has a device; any other reaches SQL only if
 * a landing check failed to quarantine it: NULL, a device no one can be shown to hold (customer_trusted.sql leaves
 * its customer out; the checks count it). regexp_extract gives '' (DuckDB) or NULL (Trino) when nothing matches.
 */
export const deviceSql = (column: string): string =>
  `CASE WHEN coalesce(regexp_extract(${column}, '${NOT_VISIBLE_ASCII}'), '') = '' THEN ${withoutUuidMarks(`lower(${column})`)} END`;

/** deviceOf any text, in Trino SQL only (its regexp_replace replaces every match): a bad line's on Athena. */
export const textDeviceSql = (text: string): string => withoutUuidMarks(`lower(regexp_replace(${text}, '${NOT_VISIBLE_ASCII}', ''))`);

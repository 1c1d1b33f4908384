import { NOT_VISIBLE_ASCII } from './landing-rules';

/**
 * A serialNumber as the device rule compares it (devices follow consent). An accepted customer record's serial is
 * visible ASCII only (landing-rules.ts NOT_VISIBLE_ASCII: `!` to `~`): a space, a control, an invisible or a non-ASCII
 * character would make a device no listed fold could tell from another, so such a line is quarantined instead, and
 * its raw text names every device it holds (named-devices.ts). A device is then the serial in lower case: a UUID
 * names the same device in either case (RFC 9562), so a non-consenting customer naming `50F7…` names `50f7…`.
 * Any other text (a bad line's, a serial typed to the API) is spelled with every character outside visible ASCII
 * dropped first, so ` 50f7…` + U+2061 or a tag character names `50f7…` too: no list of invisible characters to
 * keep up with, in JavaScript or in SQL.
 */

const NOT_VISIBLE = new RegExp(`${NOT_VISIBLE_ASCII}+`, 'g');
const small = (letters: string): string => letters.toLowerCase();

export const serialSpellingOf = (serial: string): string => serial.replace(NOT_VISIBLE, '').replace(/[A-Z]+/g, small);

/**
 * serialSpellingOf of an accepted serial, in SQL both engines run alike (sql/trusted/customer_trusted.sql writes the
 * same text, the checks use it): a serial of visible ASCII only (every accepted one) is its lower case. Any other
 * reaches SQL only if a landing check failed to quarantine it: it is NULL, a device no one can be shown to hold
 * (customer_trusted.sql leaves its customer out; the checks count it). regexp_extract gives '' (DuckDB) or NULL
 * (Trino) when nothing matches.
 */
export const serialSpellingSql = (column: string): string =>
  `CASE WHEN coalesce(regexp_extract(${column}, '${NOT_VISIBLE_ASCII}'), '') = '' THEN lower(${column}) END`;

/** serialSpellingOf of any text, in Trino SQL only (its regexp_replace replaces every match): a bad line's on Athena. */
export const textSerialSpellingSql = (text: string): string => `lower(regexp_replace(${text}, '${NOT_VISIBLE_ASCII}', ''))`;

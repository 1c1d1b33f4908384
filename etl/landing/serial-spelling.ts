/**
 * A serialNumber as the device rule compares it (devices follow consent): its
 * ASCII letters in lower case, and the invisible characters a pasted or
 * generated serial gains dropped: spaces (a no-break one too), tabs and line
 * ends, zero-width and bidi marks, a byte order mark (DROPPED). A UUID names the same device in
 * either case (RFC 9562), so a non-consenting customer naming `50F7…`,
 * ` 50f7…` or `50f7…` + U+00A0 names the device of `50f7…`. Only ASCII letters
 * fold: the zone SQL folds alike on DuckDB and on Athena.
 */

/**
 * The characters dropped: white space (tab to CR, space, NEL, no-break, line and paragraph separators, narrow and
 * ideographic spaces), soft hyphen, zero-width space/non-joiner/joiner, LRM/RLM, word joiner and BOM. A short list,
 * not every invisible code point (email-spelling.ts's 252): each one is a chr() call in SQL, and DuckDB plans a call
 * in ~28 µs, in every statement that compares devices.
 */
const DROPPED = [0x9, 0xa, 0xb, 0xc, 0xd, 0x20, 0x85, 0xa0, 0xad, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x202f, 0x2060, 0x3000, 0xfeff] as const;

const DROPPED_CLASS = new RegExp(`[${DROPPED.map((c) => `\\u{${c.toString(16)}}`).join('')}]+`, 'gu');
const small = (letters: string): string => letters.toLowerCase();

export const serialSpellingOf = (serial: string): string => serial.replace(DROPPED_CLASS, '').replace(/[A-Z]+/g, small);

// Private: the dropped characters after the capitals in translate()'s list (chr: DuckDB and Trino alike).
const CAPITALS = `'ABCDEFGHIJKLMNOPQRSTUVWXYZ ' || ${DROPPED.filter((c) => c !== 0x20).map((c) => `chr(${c})`).join(' || ')}`;
const SMALL = "'abcdefghijklmnopqrstuvwxyz'";

/**
 * serialSpellingOf in SQL both engines run alike (sql/trusted/customer_trusted.sql writes the same text). A serial of
 * visible ASCII only (every real one) is its lower case; any other is translated: capitals to small letters, DROPPED
 * gone. translate() costs ~1.2 µs a row on DuckDB, lower() a fifth of that. regexp_extract gives '' (DuckDB) or NULL
 * (Trino) when nothing matches.
 */
export const serialSpellingSql = (column: string): string =>
  `CASE WHEN coalesce(regexp_extract(${column}, '[^!-~]'), '') = '' THEN lower(${column}) ELSE translate(${column}, ${CAPITALS}, ${SMALL}) END`;

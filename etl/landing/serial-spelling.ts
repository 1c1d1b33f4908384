/**
 * A serialNumber as the device rule compares it (devices follow consent): its
 * ASCII letters in lower case, spaces and tabs dropped. A UUID names the same
 * device in either case (RFC 9562), and a pasted serial gains stray spaces, so
 * a non-consenting customer naming `50F7…` or ` 50f7…` names the device of
 * `50f7…`. ASCII only: the zone SQL folds alike on DuckDB and on Athena.
 */
export const serialSpellingOf = (serial: string): string => serial.replace(/[ \t]/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());

/** serialSpellingOf in SQL both engines accept (sql/trusted/customer_trusted.sql writes the same text). */
export const serialSpellingSql = (column: string): string =>
  `translate(replace(replace(${column}, ' ', ''), chr(9), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;

import { keyPattern } from '../../landing/named-under-keys';
import { textDeviceSql } from '../../landing/serial-spelling';
import { INVISIBLE_ESCAPES } from '../../landing/named-devices';
import { bare, decomposed, fold, masked, searched, spelling, unwrapped } from './address-spelling-sql';
import { literal } from './statements';
import { writtenWhole } from './whole-address-sql';

/**
 * What a landing line's raw text names, as Trino SQL pieces for Athena's doubt-hides view
 * (consent-uncertain-statements.ts): the emails and devices under their keys, read with consent-doubt.ts's patterns,
 * and the accepted emails and devices anywhere in its spelling. JavaScript's `\s` (Unicode spaces included) and `.`
 * (no line terminator) are written out as classes, since Trino's and JavaScript's shorthands differ.
 */

const SPACE = String.raw`[\t\n\x{0B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]*`;
const EMAIL = String.raw`'${keyPattern('email')}${SPACE}:${SPACE}"((?:[^"\\]|\\[^\n\r\x{2028}\x{2029}])*)"'`;
const SERIAL = String.raw`'${keyPattern('serialNumber')}${SPACE}:${SPACE}"((?:[^"\\]|\\[^\n\r\x{2028}\x{2029}])*)"'`;
/** A string under a key, its JSON escapes decoded, or as written when they are not valid JSON. */
const jsonDecoded = (raw: string): string => `coalesce(json_extract_scalar('"' || ${raw} || '"', '$'), ${raw})`;

/**
 * Whether a text names an accepted email (named-addresses.ts): the email as written within the text (ASCII case
 * aside), or its spelling within the text's (which drops NULs: text written as UTF-16) or within the text's without
 * its runs beyond ASCII, or both decomposed, or both masked (an email beyond ASCII only). Each row of `text` carries its
 * "folded", "searched", "apart" (searched, decomposed), "masked" and "bare" columns, of `accepted` its "folded",
 * "spelling", "apart" and "masked", computed once for it. By spelling, only a lone accepted one is looked for: those others
 * share are hidden anyway (n in n lines made n² rows).
 */
export const names = (text: string, raw: string, accepted: string): string =>
  `(((strpos(${accepted}."folded", '@') > 0 AND strpos(${text}."folded", ${accepted}."folded") > 0)` +
  ` OR (${accepted}."alike" = 1 AND strpos(${accepted}."spelling", '@') > 0` +
  ` AND (strpos(${text}."searched", ${accepted}."spelling") > 0 OR strpos(${text}."apart", ${accepted}."apart") > 0` +
  ` OR strpos(${text}."bare", ${accepted}."spelling") > 0` +
  ` OR (${accepted}."masked" <> ${accepted}."spelling" AND strpos(${text}."masked", ${accepted}."masked") > 0))))` +
  // Only where it is written whole (whole-address-sql.ts): checked after the search found it.
  ` AND ${writtenWhole(text, raw, accepted)})`;

/** The line's spelling as devices are spelled (named-devices.ts), as written and decoded. */
export const deviceSpellingsSql = (line: string): string[] => [
  `${textDeviceSql(line)} AS "devices"`,
  `${textDeviceSql(`regexp_replace(${unwrapped(line)}, ${literal(INVISIBLE_ESCAPES)}, '')`)} AS "devices_decoded"`,
];

/** The devices a line names under its serialNumber key, and every accepted device ("claims") anywhere in its spelling, with `carried` of its row. */
export const devicesNamedIn = (lines: string, carried: string): string[] => [
  `  SELECT ${lines}.${carried}, ${textDeviceSql(jsonDecoded('"d"."raw"'))} AS "device"`,
  `  FROM ${lines}`,
  `  CROSS JOIN UNNEST(regexp_extract_all(${lines}."line", ${SERIAL}, 1)) AS "d"("raw")`,
  `  UNION ALL`,
  // One of no characters is named by none.
  `  SELECT ${lines}.${carried}, "c"."device"`,
  `  FROM ${lines}`,
  `  JOIN (SELECT DISTINCT "device" FROM "claims") AS "c"`,
  `    ON length("c"."device") > 0 AND (strpos(${lines}."devices", "c"."device") > 0 OR strpos(${lines}."devices_decoded", "c"."device") > 0)`,
];

/**
 * Each email under an email key of `lines` (any depth), with its row's "line", "lastUpdateDate" and `carried` columns,
 * and its text as the address search reads it. An email decodes its JSON escapes, or stays as written when they are
 * not valid JSON.
 */
export const keyedIn = (lines: string, carried: readonly string[]): string[] => {
  const more = carried.map((column) => `, ${column}`).join('');
  return [
    `  SELECT "line", "email", "folded", "spelling", "searched", ${decomposed('"searched"')} AS "apart", ${masked('"searched"')} AS "masked", ${bare('"searched"')} AS "bare", "lastUpdateDate"${more}`,
    `  FROM (SELECT "line", "email", ${fold('"email"')} AS "folded", ${spelling('"email"')} AS "spelling", ${searched('"email"')} AS "searched", "lastUpdateDate"${more}`,
    `  FROM (SELECT ${lines}."line", ${jsonDecoded('"e"."raw"')} AS "email", ${lines}."lastUpdateDate"${carried.map((column) => `, ${lines}.${column}`).join('')}`,
    `    FROM ${lines}`,
    `    CROSS JOIN UNNEST(regexp_extract_all(${lines}."line", ${EMAIL}, 1)) AS "e"("raw")) AS "k") AS "d"`,
  ];
};

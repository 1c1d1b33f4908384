import { invisibleClass } from '../../landing/email-spelling';
import { AFTER, ASCII_GAP_RUN, BEFORE, CAMEL_JOIN, PLAIN_ADDRESS_CHARACTERS, SEPARATOR_READ, SEPARATOR_WRITTEN } from '../../landing/whole-address';
import { fold, unwrapped } from './address-spelling-sql';
import { literal } from './statements';

/**
 * Whether a found email is written whole (etl/landing/whole-address.ts), as Trino SQL for Athena's doubt-hides view
 * (line-names-sql.ts names()): the same texts, marks and patterns, the pattern built from each accepted email's folded
 * text. U+0001 marks, U+0002 keeps the texts apart, as chr() writes them (no control character in the SQL text).
 */

const MARK = 'chr(1)';
const APART = 'chr(2)';
const INVISIBLE_RUN = literal(`${invisibleClass((c) => `\\x{${c.toString(16).toUpperCase()}}`)}+`);
/** A mark or any character beyond ASCII, any number of them (whole-address.ts BETWEEN). */
const BETWEEN = `'[' || ${MARK} || chr(128) || '-' || chr(1114111) || ']*'`;

/** A text as written (folded) with a mark for each run of ASCII spaces and controls (whole-address.ts writtenMarked). */
const writtenMarked = (folded: string): string => `regexp_replace(${folded}, ${literal(ASCII_GAP_RUN)}, ${MARK})`;

/** A text spelled with marks for what the spelling drops (email-spelling.ts markedSpellingOf). */
const markedSpelling = (text: string): string =>
  `lower(regexp_replace(normalize(regexp_replace(${text}, ${INVISIBLE_RUN}, ${MARK}), NFKC), ${INVISIBLE_RUN}, ${MARK}))`;

/** The marked spelling with each written space a boundary (whole-address.ts separatedOf). */
const separatedOf = (raw: string): string => markedSpelling(unwrapped(`regexp_replace(${raw}, ${literal(SEPARATOR_WRITTEN)}, ${literal(SEPARATOR_READ)})`));

/** The texts an email is looked for whole in (whole-address.ts wholeText), from the raw text and its folded column. */
function wholeText(raw: string, folded: string): string {
  const marked = markedSpelling(unwrapped(raw));
  const separated = separatedOf(raw);
  // A mark inside each camelCase join (by a lambda: Trino writes a group $1, DuckDB, the stand-in, \1).
  const camel = `regexp_replace(${raw}, ${literal(CAMEL_JOIN)}, "c" -> "c"[1] || ${MARK} || "c"[2])`;
  return (
    [
      ...[writtenMarked(folded), marked, `normalize(${marked}, NFD)`, separated, `normalize(${separated}, NFD)`],
      ...[writtenMarked(fold(camel)), separatedOf(camel)],
    ]
      .map((t) => `${APART} || ${t}`)
      .join(' || ') +
    ` || ${APART}`
  );
}

/** The pattern finding an accepted email (its folded text) whole (whole-address.ts wholePattern): its characters with BETWEEN between. */
function wholePattern(folded: string): string {
  const body = `replace(replace(regexp_replace(${folded}, '', ${BETWEEN}), '.', '[.]'), '+', '[+]')`;
  return (
    `CASE WHEN regexp_like(substr(${folded}, 1, 1), '[a-z0-9]') THEN ${literal(BEFORE)} ELSE '' END || ${body}` +
    ` || CASE WHEN regexp_like(substr(${folded}, length(${folded}), 1), '[a-z0-9]') THEN ${literal(AFTER)} ELSE '' END`
  );
}

/**
 * Whether `text`'s row (its raw column `raw`, and "folded" and "searched") writes `accepted`'s email (its "folded")
 * whole, or the email is not one of plain address characters, or the marked spelling does not drop to "searched":
 * each keeps it named.
 */
export const writtenWhole = (text: string, raw: string, accepted: string): string =>
  `(regexp_like(${accepted}."folded", ${literal(PLAIN_ADDRESS_CHARACTERS)})` +
  ` OR replace(${markedSpelling(unwrapped(`${text}.${raw}`))}, ${MARK}, '') <> ${text}."searched"` +
  ` OR regexp_like(${wholeText(`${text}.${raw}`, `${text}."folded"`)}, ${wholePattern(`${accepted}."folded"`)}))`;

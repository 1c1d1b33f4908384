import { BEYOND_ASCII_RUN } from '../../landing/beyond-ascii';
import { invisibleClass } from '../../landing/email-spelling';
import { ESCAPED_CHARACTER, LAST_ASCII_INVISIBLE, LAST_CODE_POINT, SURROGATES } from '../../landing/escaped-characters';
import { LOWER, UPPER } from '../../landing/address-text';
import { PERCENT_CHARACTER } from '../../landing/percent-encoded';
import { CHARACTER_REFERENCE, LAST_INVISIBLE, NAMED_REFERENCES } from '../../landing/character-references';
import { literal } from './statements';

/**
 * The address search's text transforms (etl/landing/named-addresses.ts and the files it names), spelled as Trino SQL
 * over a text expression, for Athena's doubt-hides view (consent-uncertain-statements.ts).
 */

export const fold = (text: string): string => `translate(${text}, ${literal(UPPER)}, ${literal(LOWER)})`;
// The invisible characters as a Trino (Joni) regex class: code points written \x{…}, as Trino asks for beyond the BMP.
const INVISIBLE = literal(invisibleClass((c) => `\\x{${c.toString(16).toUpperCase()}}`));
/** An email as its spellings share it (email-spelling.ts): invisibles dropped, NFKC, invisibles dropped, lower() (simple case mapping, per code point). */
export const spelling = (email: string): string =>
  `lower(regexp_replace(normalize(regexp_replace(${email}, ${INVISIBLE}, ''), NFKC), ${INVISIBLE}, ''))`;
/**
 * A text's escapes decoded as escaped-characters.ts decodes them, by Trino's regexp_replace with a lambda (given the
 * pattern's groups, null when a group took no part): a run of backslashes alone as it is, a surrogate pair's code
 * point, else the one code point's, which reads as nothing up to U+0020 and as the escape itself when it names no
 * character (chr() would fail the query). The lambda never answers null, which would make the whole text null.
 */
function decoded(text: string): string {
  const code = `from_base(coalesce("e"[4], "e"[5], "e"[6], "e"[7]), 16)`;
  return (
    `regexp_replace(${text}, ${literal(ESCAPED_CHARACTER)}, "e" -> CASE` +
    ` WHEN "e"[8] IS NOT NULL THEN "e"[8]` +
    ` WHEN "e"[2] IS NOT NULL THEN chr(65536 + (from_base("e"[2], 16) - 55296) * 1024 + from_base("e"[3], 16) - 56320)` +
    ` WHEN ${code} <= ${LAST_ASCII_INVISIBLE} THEN ' '` +
    ` WHEN ${code} > ${LAST_CODE_POINT} OR ${code} BETWEEN ${SURROGATES[0]} AND ${SURROGATES[1]} THEN "e"[1]` +
    ` ELSE chr(${code}) END)`
  );
}
/** A text's percent-encoded UTF-8 characters decoded, any other %XX left as written (percent-encoded.ts). */
function percentDecoded(text: string): string {
  const run = `from_utf8(from_hex(replace("p"[1], '%', '')))`;
  return `regexp_replace(${text}, ${literal(PERCENT_CHARACTER)}, "p" -> CASE WHEN strpos(${run}, chr(65533)) > 0 THEN "p"[1] ELSE ${run} END)`;
}
/** A text's character references decoded (character-references.ts): named, else a code point's, as decoded() reads one. */
function referencesDecoded(text: string): string {
  const code = `coalesce(from_base("r"[2], 16), CAST("r"[3] AS bigint))`;
  const named = Object.entries(NAMED_REFERENCES).map(([name, c]) => ` WHEN ${literal(name)} THEN ${literal(c)}`).join('');
  return (
    `regexp_replace(${text}, ${literal(CHARACTER_REFERENCE)}, "r" -> CASE` +
    ` WHEN "r"[4] IS NOT NULL THEN CASE "r"[4]${named} END` +
    ` WHEN ${code} <= ${LAST_INVISIBLE} THEN ' '` +
    ` WHEN ${code} > ${LAST_CODE_POINT} OR ${code} BETWEEN ${SURROGATES[0]} AND ${SURROGATES[1]} THEN "r"[1]` +
    ` ELSE chr(${code}) END)`
  );
}
/** A text as the address search reads it (named-addresses.ts): its percent-encoding, escapes, then character references decoded. */
export const unwrapped = (text: string): string => referencesDecoded(decoded(percentDecoded(text)));
/** A text as the address search spells it: decoded (unwrapped), then folded. */
export const searched = (text: string): string => spelling(unwrapped(text));
/** A spelling decomposed (NFD), so a mark right after an email in a bad line stays apart from its last letter (named-addresses.ts). */
export const decomposed = (spelled: string): string => `normalize(${spelled}, NFD)`;
/** A spelling with each run of characters beyond ASCII one U+FFFD (named-addresses.ts: a line not saved as UTF-8). */
export const masked = (spelled: string): string => `regexp_replace(${spelled}, ${literal(BEYOND_ASCII_RUN)}, chr(65533))`;
/** A spelling without its runs beyond ASCII (each may be a garbled invisible character the fold drops: beyond-ascii.ts bareOf). */
export const bare = (spelled: string): string => `regexp_replace(${spelled}, ${literal(BEYOND_ASCII_RUN)}, '')`;

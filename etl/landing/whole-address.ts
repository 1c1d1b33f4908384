import { markedSpellingOf } from './email-spelling';
import { decodedText, foldAscii } from './address-text';

/**
 * An address is named only where it is written whole: `ally@x.com` names ally@x.com, not y@x.com (found inside it),
 * and `ann@x.com.au` names ann@x.com.au, not ann@x.com. The address search (named-addresses.ts) finds an email in a
 * bad line's spellings, which drop spaces and invisible characters (`al ice@x.com` names alice@x.com), so `revoke for
 * ann@x.com` spells `revokeforann@x.com`: its boundaries are decided here on texts that keep a mark (U+0001) where the
 * spelling drops something. A found email is kept (doubt hides) when any of these reads it whole:
 *   - the line as written, ASCII letters folded and each run of ASCII spaces and controls a mark (a `\` or `%` before
 *     an address as written, `\nann@x.com`; `=1A @X.COM` names 1a@x.com, whose `=1A` the separated texts read as
 *     quoted-printable);
 *   - its spelling with marks (markedSpellingOf), and that decomposed (NFD): when the marks removed it is not the
 *     line's spelling (a mark between a letter and its accent kept them from composing), every email found stays named;
 *   - the same after what writes a space or a line end in other text reads as a boundary (SEPARATOR_WRITTEN: `\n`,
 *     `%20`, `\040`, `=20`), which the spelling reads as letters (a space's escape or reference, `\u0020`, `&#32;`,
 *     decodes to a space: a mark in every spelling);
 *   - the line as written and its separated marked spelling with a mark at each ASCII lower-case letter
 *     followed by an upper-case one (CAMEL_JOIN): `revokeAnn@x.com` is how a typo joins two words, so it names
 *     ann@x.com (doubt hides), as `ann@x.comPlease` does. So does `marieAnn@x.com`, even when marieann@x.com is a
 *     customer too: the line cannot say which it meant.
 * Between an email's characters any mark or run beyond ASCII may stand (the search reads those as nothing). Whole
 * means: an email starting with an ASCII letter or digit does not follow one (nor one and a `.`: `x.ann@`), and one
 * ending so is not followed by one (nor by a `.` and one: `.com.au`); anything else around it is a boundary (`_`,
 * `-`, `+`, quotes, `<`, `=`, any character beyond ASCII). Only emails of plain address characters
 * (`[a-z0-9._%+-]` and `@`, once ASCII case is folded: nearly all) are so checked; any other stays named wherever found.
 * The Athena view decides it alike (etl/engine/athena/whole-address-sql.ts), with these patterns.
 */

/** What stands where a spelling drops something. */
export const MARK = '\u0001';
/**
 * Writings of a space, a tab or a line end that the spelling reads as letters (`\n`, `%20`, octal `\040`,
 * quoted-printable `=20`, any of whose `=XX` (`=3D`) is read so too). Escapes and references that decode to one
 * (`\u0020`, `&#32;`) are not listed: decoded, they are a space (escaped-characters.ts, character-references.ts).
 */
export const SEPARATOR_WRITTEN = String.raw`\\+(?:[nrtfvb]|[0-7]{1,3})|%(?:20|[01][0-9a-fA-F])|=[0-9A-F]{2}`;
/** A run of ASCII spaces and controls, as the spelling drops them: a mark in the line as written. */
export const ASCII_GAP_RUN = String.raw`[\x00-\x20\x7f]+`;
/** Characters of the emails checked for boundaries, folded; a character outside them makes an email stay named wherever found. */
export const PLAIN_ADDRESS_CHARACTERS = '[^a-z0-9._%+@-]';
/** What may stand between an email's characters: a mark, or any character beyond ASCII. Literal characters, so the pattern has no escape (a replacement string reads none). */
export const BETWEEN = `[${MARK}\u0080-\u{10FFFF}]*`;
/** Before an email starting with a letter or digit: not a letter, digit or `.`, or a `.` after no letter or digit. */
export const BEFORE = '(?:[^a-z0-9.]|[^a-z0-9][.])';
/** After an email ending with a letter or digit: not a letter, digit or `.`, or a `.` before no letter or digit. */
export const AFTER = '(?:[^a-z0-9.]|[.][^a-z0-9])';
/**
 * What stands for a written space or line end (SEPARATOR_WRITTEN) in the separated texts: a boundary, but not a mark, so
 * `1=20a@x.com` does not read as 1a@x.com there (nor does the search find it so). Printable: the spelling keeps it.
 */
export const SEPARATOR_READ = '!';
/** Between the texts read (and around them): no character of an email, nor one that may stand between them. */
export const APART = '\u0002';

/** An ASCII lower-case letter then an upper-case one: a word joined to the next (camelCase), a boundary as a space is. */
export const CAMEL_JOIN = '([a-z])([A-Z])';

const SEPARATORS = new RegExp(SEPARATOR_WRITTEN, 'g');
const ASCII_GAPS = new RegExp(ASCII_GAP_RUN, 'g');
/** The line as written, ASCII letters folded and ASCII spaces and controls marked. */
const writtenMarked = (text: string): string => foldAscii(text).replace(ASCII_GAPS, MARK);
/** The marked spelling with each written space (SEPARATOR_WRITTEN) a boundary. */
const separatedOf = (text: string): string => markedSpellingOf(decodedText(text.replace(SEPARATORS, SEPARATOR_READ)));
const CAMEL = new RegExp(CAMEL_JOIN, 'g');
const PLAIN = new RegExp(PLAIN_ADDRESS_CHARACTERS);
const ALNUM = /[a-z0-9]/;

/** Whether an accepted email (its ASCII-folded text) is checked for boundaries: of plain address characters, with an `@`. */
export const isPlainAddress = (folded: string): boolean => folded.includes('@') && !PLAIN.test(folded);

/** The pattern that finds a plain email (folded) written whole in wholeText()'s text. */
export function wholePattern(folded: string): RegExp {
  const body = [...folded].map((c) => (c === '.' || c === '+' ? `[${c}]` : c)).join(BETWEEN);
  return new RegExp(`${ALNUM.test(folded[0]) ? BEFORE : ''}${body}${ALNUM.test(folded[folded.length - 1]) ? AFTER : ''}`, 'u');
}

/**
 * The texts an email is looked for whole in, each between APART, or undefined when the line's marked spelling does not
 * drop to its spelling (`spelled`, as the search spelled it): then any email found there stays named.
 */
export function wholeText(text: string, spelled: string): string | undefined {
  const marked = markedSpellingOf(decodedText(text));
  if (marked.replaceAll(MARK, '') !== spelled) return undefined;
  const separated = separatedOf(text);
  const camel = text.replace(CAMEL, `$1${MARK}$2`);
  const joined = camel === text ? [] : [writtenMarked(camel), separatedOf(camel)];
  return [APART, writtenMarked(text), marked, marked.normalize('NFD'), separated, separated.normalize('NFD'), ...joined, ''].join(APART);
}

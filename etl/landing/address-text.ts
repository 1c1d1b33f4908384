import { decodeReferences } from './character-references';
import { isAscii, spellingOf } from './email-spelling';
import { decodeEscapes } from './escaped-characters';
import { decodePercents } from './percent-encoded';

/**
 * How the address search (named-addresses.ts) reads a text: ASCII letters folded, URL percent-encoding, escapes and
 * character references decoded, and an email's spelling decomposed. Shared by the searches of bad lines for
 * addresses and devices, the accepted emails' own forms, and the Athena view's letter folding.
 */

/** ASCII letters folded to lower case, as Trino's translate() folds them for the Athena view. */
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const foldAscii = (text: string): string => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/** An `@` as written or as NFKC spells it (full-width U+FF20, small U+FE6B): a line without one names no address. */
export const AT = /[@\uFE6B\uFF20]/;

/** A bad line's text with its URL percent-encoding (`%40`), its escapes (`\u0040`), then its character references (`&#64;`) decoded: as the search reads it. */
export const decodedText = (text: string): string => decodeReferences(decodeEscapes(decodePercents(text)));

/** Whether `text` may read otherwise once decoded (decodedText): it holds a backslash, a `%` or an `&`. */
export const mayDecode = (text: string): boolean => text.includes('\\') || text.includes('%') || text.includes('&');

/** Whether `text` holds an `@`, as written, as NFKC spells it, percent-encoded or as an escape: else it names no address. */
export const mayNameAddress = (text: string): boolean => AT.test(text) || (mayDecode(text) && AT.test(decodedText(text)));

/** An email's spelling decomposed (NFD), as a bad line's is searched for it. */
export function decomposedSpellingOf(email: string): string {
  const spelled = spellingOf(email);
  return isAscii(spelled) ? spelled : spelled.normalize('NFD');
}

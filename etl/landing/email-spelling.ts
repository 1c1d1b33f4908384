/**
 * An email as all its spellings share it (doubt hides: two accepted emails
 * that fold alike are one address written two ways, consent-doubt.ts). The
 * fold, decided here and spelled for Trino by the Athena view
 * (etl/engine/athena/consent-uncertain-statements.ts):
 *   1. drop every invisible character (below), so a zero-width space between
 *      a letter and its accent cannot keep the two from composing;
 *   2. NFKC: `e` + U+0301 is `é`, full-width `ａ` is `a`;
 *   3. drop the invisible characters again (NFKC writes some as spaces: U+00A0, `¨`);
 *   4. lower-case each code point by its simple mapping, as Trino's lower()
 *      does (Java's Character.toLowerCase): `É` is `é`, `Σ` is always `σ`
 *      (JavaScript's toLowerCase would make a final one `ς`) and `İ` is `i`
 *      (JavaScript's would add U+0307).
 * What the fold does not cover: a letter that merely looks like another
 * (Cyrillic `а` for `a`) is another address. Steps 2 and 4 agree with Java 17's
 * Normalizer and Character.toLowerCase on every code point both Unicode versions
 * assign; letters newer than Athena's Java may fold otherwise there.
 */

/**
 * Characters drawn as an empty cell though Unicode calls them neither White_Space nor Default_Ignorable (no Unicode
 * property or confusables.txt entry gathers them): BRAILLE PATTERN BLANK (U+2800, a cell with no dots), KHITAN SMALL
 * SCRIPT FILLER (U+16FE4) and MUSICAL SYMBOL NULL NOTEHEAD (U+1D159). `alice@x.com` + U+2800 reads as alice@x.com,
 * so the fold drops them as it drops a space: doubt hides (a withdrawal so written hides alice, never the reverse).
 */
export const BLANK_RANGES: ReadonlyArray<readonly [number, number]> = [[0x2800, 0x2800], [0x16fe4, 0x16fe4], [0x1d159, 0x1d159]];

/**
 * Characters no reader sees: Unicode categories Cc (controls, NUL and tab
 * among them), Cf (format: zero-width space, ZWJ/ZWNJ, BOM, soft hyphen,
 * bidi marks), Zs (space separators) and Zl, Zp (the line and paragraph
 * separators U+2028, U+2029: a line end, as a tab or a CR is, not another
 * letter), and the code points Unicode says to draw as nothing
 * (Default_Ignorable_Code_Point: the combining grapheme joiner U+034F, Hangul
 * fillers U+115F, U+3164, variation selectors, Khmer's U+17B4), as Unicode 17
 * assigns them. Listed,
 * not written `\p{Cc}`, so both engines drop the same characters whatever
 * Unicode version their regex engine knows (tests pin the list to Node's),
 * and the blanks below.
 */
export const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0, 0x20], [0x7f, 0xa0], [0xad, 0xad], [0x34f, 0x34f], [0x600, 0x605], [0x61c, 0x61c], [0x6dd, 0x6dd], [0x70f, 0x70f],
  [0x890, 0x891], [0x8e2, 0x8e2], [0x115f, 0x1160], [0x1680, 0x1680], [0x17b4, 0x17b5], [0x180b, 0x180f], [0x2000, 0x200f],
  [0x2028, 0x202f], [0x205f, 0x206f], [0x3000, 0x3000], [0x3164, 0x3164], [0xfe00, 0xfe0f], [0xfeff, 0xfeff], [0xffa0, 0xffa0],
  [0xfff0, 0xfffb], [0x110bd, 0x110bd], [0x110cd, 0x110cd], [0x13430, 0x1343f], [0x1bca0, 0x1bca3], [0x1d173, 0x1d17a], [0xe0000, 0xe0fff],
  ...BLANK_RANGES,
];

/** The invisible characters as one regex class, each code point written by `escape`. */
export function invisibleClass(escape: (codePoint: number) => string): string {
  return `[${INVISIBLE_RANGES.map(([from, to]) => (from === to ? escape(from) : `${escape(from)}-${escape(to)}`)).join('')}]`;
}

const INVISIBLE = new RegExp(invisibleClass((c) => `\\u{${c.toString(16)}}`), 'gu');
// Plain ASCII (nearly every email) is its own NFKC form and has no other invisible characters or case: no normalize() for it.
const ASCII = /^[\x00-\x7f]*$/;
/** Whether `text` is plain ASCII (its own NFKC form, with no invisible characters beyond ASCII's). */
export const isAscii = (text: string): boolean => ASCII.test(text);
const ASCII_INVISIBLE = /[\x00-\x20\x7f]+/g;

export function spellingOf(email: string): string {
  if (isAscii(email)) return email.replace(ASCII_INVISIBLE, '').replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  return lowerEach(email.replace(INVISIBLE, '').normalize('NFKC').replace(INVISIBLE, ''));
}

/** Each code point lower-cased by its simple mapping, as Trino's lower() does. */
function lowerEach(visible: string): string {
  // The whole text's lower case is each code point's simple one but for `İ` (`i` + U+0307) and a final `Σ` (`ς`):
  // only a text holding one is folded a code point at a time (a bad line of megabytes took seconds so).
  if (!CONTEXTUAL_CASE.test(visible)) return visible.toLowerCase();
  let folded = '';
  // A code point's full lower case starts with its simple one (only `İ` has more: `i` + U+0307).
  for (const c of visible) folded += String.fromCodePoint(c.toLowerCase().codePointAt(0)!);
  return folded;
}
const CONTEXTUAL_CASE = /[\u0130\u03a3]/;

const INVISIBLE_RUN = new RegExp(`${invisibleClass((c) => `\\u{${c.toString(16)}}`)}+`, 'gu');
const ASCII_INVISIBLE_RUN = /[\x00-\x20\x7f]+/g;
/**
 * A text spelled as spellingOf() spells it, but with each run of what it drops as one U+0001 (whole-address.ts):
 * the same text with those removed, unless a dropped character stood between two that compose.
 */
export function markedSpellingOf(text: string): string {
  if (isAscii(text)) return text.replace(ASCII_INVISIBLE_RUN, '\u0001').replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  return lowerEach(text.replace(INVISIBLE_RUN, '\u0001').normalize('NFKC').replace(INVISIBLE_RUN, '\u0001'));
}

/**
 * What may stand around an address inside an email field's text (`Ann <ann@x.com>`, `mailto:ann@x.com`,
 * `"ann@x.com"`, `ann@x.com, bob@y.com`): JavaScript's `\s` (spaces, tabs, line ends) and the marks `"'(),:;<>[]`.
 * Listed as code points, so both engines split alike (consent-uncertain-statements.ts writes it for Trino).
 */
export const AROUND_ADDRESS_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x9, 0xd], [0x20, 0x20], [0x22, 0x22], [0x27, 0x29], [0x2c, 0x2c], [0x3a, 0x3c], [0x3e, 0x3e], [0x5b, 0x5b], [0x5d, 0x5d],
  [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];

/** A run of what may stand around an address as one regex, each code point written by `escape`. */
export const aroundAddressPattern = (escape: (codePoint: number) => string): string =>
  `[${AROUND_ADDRESS_RANGES.map(([from, to]) => (from === to ? escape(from) : `${escape(from)}-${escape(to)}`)).join('')}]+`;

const AROUND_ADDRESS = new RegExp(aroundAddressPattern((c) => `\\u{${c.toString(16)}}`), 'u');

/**
 * The spellings of the addresses an email field's text holds beside other text: each part between what may stand
 * around an address (AROUND_ADDRESS_RANGES) that holds an `@`, spelled, without trailing dots (`ann@x.com.`). Empty
 * for a plain address (nearly every one).
 */
export function addressesWithin(email: string): string[] {
  if (!AROUND_ADDRESS.test(email) && !email.endsWith('.')) return [];
  return email
    .split(AROUND_ADDRESS)
    .filter((part) => part.includes('@'))
    .map((part) => spellingOf(part).replace(/\.+$/, ''));
}

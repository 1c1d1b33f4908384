/**
 * A character written as an escape in a bad line's text, as producers print
 * one: JSON (`\u0061`, a surrogate pair `\ud83d\ude00` beyond the BMP),
 * Python's repr of a str (`\x61`, `\u200b`, `\U000e0041`), Rust's Debug and
 * Ruby's inspect (`\u{200b}`), Perl's Data::Dumper (`\x{200b}`). The address
 * search decodes them before spelling the line (`'\u0061lice@…'` and
 * `'ali\x63e@…'` name alice@…; the fold then drops the invisible ones).
 * A run of backslashes counts as one: an escape escaped again, as a JSON string
 * holding a printed dict writes it (`"{'email': 'ali\\u0063e@…'}"`), reads so too.
 * One pattern for JavaScript, Trino (Joni) and the stand-in's RE2; its groups:
 * 1 the whole escape, 2 and 3 a surrogate pair's halves, 4 to 7 one code point's hex,
 * 8 a run of backslashes that starts no escape, matched whole so that the search
 * resumes past it (a backtracking engine tried it from each of its backslashes:
 * n of them took n² steps).
 */
export const ESCAPED_CHARACTER = String.raw`(\\+(?:u([dD][89abAB][0-9a-fA-F]{2})\\+u([dD][c-fC-F][0-9a-fA-F]{2})|[xu]\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|U([0-9a-fA-F]{8})))|(\\+)`;

/** Code points up to this one are invisible (email-spelling.ts drops them): decoded to nothing, so no NUL reaches SQL text. */
export const LAST_ASCII_INVISIBLE = 0x20;
export const LAST_CODE_POINT = 0x10ffff;
export const SURROGATES: readonly [number, number] = [0xd800, 0xdfff];

const ESCAPED = new RegExp(ESCAPED_CHARACTER, 'g');

/** What one escape reads as: its character, nothing for a control or space, or itself when it names no character (a lone surrogate, past U+10FFFF). */
function decoded(whole: string, high: string | undefined, low: string | undefined, ...hex: Array<string | undefined>): string {
  if (high !== undefined && low !== undefined) return String.fromCodePoint(0x10000 + (parseInt(high, 16) - 0xd800) * 0x400 + (parseInt(low, 16) - 0xdc00));
  const code = parseInt(hex.find((h) => h !== undefined)!, 16);
  if (code <= LAST_ASCII_INVISIBLE) return '';
  if (code > LAST_CODE_POINT || (code >= SURROGATES[0] && code <= SURROGATES[1])) return whole;
  return String.fromCodePoint(code);
}

/** `text` with the escapes it holds decoded, left to right in one pass (a decoded backslash starts no new escape). */
export const decodeEscapes = (text: string): string =>
  text.includes('\\')
    ? text.replace(ESCAPED, (match: string, whole?: string, high?: string, low?: string, a?: string, b?: string, c?: string, d?: string) =>
        whole === undefined ? match : decoded(whole, high, low, a, b, c, d),
      )
    : text;

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
const BODY = String.raw`(?:u([dD][89abAB][0-9a-fA-F]{2})\\+u([dD][c-fC-F][0-9a-fA-F]{2})|[xu]\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|U([0-9a-fA-F]{8}))`;
export const ESCAPED_CHARACTER = String.raw`(\\+${BODY})|(\\+)`;

/**
 * Code points up to this one are invisible (email-spelling.ts drops them): decoded to a space, so no NUL reaches SQL
 * text, and `revoke\u0020ann@…` is two words, as written with a space (whole-address.ts reads a space as a boundary).
 */
export const LAST_ASCII_INVISIBLE = 0x20;
export const LAST_CODE_POINT = 0x10ffff;
export const SURROGATES: readonly [number, number] = [0xd800, 0xdfff];

// An escape's body, tried where a run of backslashes ends; its groups are ESCAPED_CHARACTER's 2 to 7.
const BODY_AT = new RegExp(BODY, 'y');

/** What one escape reads as: its character, a space for a control or space, or itself when it names no character (a lone surrogate, past U+10FFFF). */
function decoded(whole: string, high: string | undefined, low: string | undefined, ...hex: Array<string | undefined>): string {
  if (high !== undefined && low !== undefined) return String.fromCodePoint(0x10000 + (parseInt(high, 16) - 0xd800) * 0x400 + (parseInt(low, 16) - 0xdc00));
  const code = parseInt(hex.find((h) => h !== undefined)!, 16);
  if (code <= LAST_ASCII_INVISIBLE) return ' ';
  if (code > LAST_CODE_POINT || (code >= SURROGATES[0] && code <= SURROGATES[1])) return whole;
  return String.fromCodePoint(code);
}

/**
 * `text` with the escapes it holds decoded, left to right in one pass (a decoded backslash starts no new escape): as
 * ESCAPED_CHARACTER reads it, each run of backslashes read once, by a scan rather than a replace() calling back for
 * every run (a line of 1 MB of lone backslashes took 0.35 s).
 */
export function decodeEscapes(text: string): string {
  let at = text.indexOf('\\');
  if (at < 0) return text;
  let out = '';
  let copied = 0;
  while (at >= 0) {
    let end = at;
    while (text.charCodeAt(end) === 0x5c) end += 1;
    BODY_AT.lastIndex = end;
    const body = BODY_AT.exec(text);
    if (body) {
      out += text.slice(copied, at) + decoded(text.slice(at, BODY_AT.lastIndex), body[1], body[2], body[3], body[4], body[5], body[6]);
      copied = BODY_AT.lastIndex;
    }
    at = text.indexOf('\\', body ? copied : end);
  }
  return out + text.slice(copied);
}

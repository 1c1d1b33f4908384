/**
 * A bad line's URL percent-encoding (RFC 3986), as a form's body or a query
 * string writes an address: `email=alice%40test.com&…` (a browser's
 * application/x-www-form-urlencoded), `jos%C3%A9%40x.com`. The address search
 * decodes each well-formed UTF-8 character written as `%XX` before spelling the
 * line; a byte that starts or continues none (a Latin-1 `%E9`, an overlong or a
 * surrogate) is left as written, and only it: a stray one beside an encoded
 * address cannot keep the address from being read (doubt hides). Controls and
 * the space (`%00`-`%20`) are never decoded: no address holds one, and no NUL
 * reaches SQL text. A `+` stays a `+` (a form's space, but an address's plus far
 * more often). One pattern for JavaScript, Trino (Joni) and the stand-in's RE2,
 * each alternative of bounded length (linear time); group 1 is one character.
 */
const HEX = '[0-9a-fA-F]';
const TAIL = `%[89abAB]${HEX}`;
export const PERCENT_CHARACTER = `(${[
  `%(?:2[1-9a-fA-F]|[3-7]${HEX})`,
  `%(?:[cC][2-9a-fA-F]|[dD]${HEX})${TAIL}`,
  `%[eE]0%[abAB]${HEX}${TAIL}`,
  `%[eE][1-9a-cA-CeEfF]${TAIL}${TAIL}`,
  `%[eE][dD]%[89]${HEX}${TAIL}`,
  `%[fF]0%[9abAB]${HEX}${TAIL}${TAIL}`,
  `%[fF][1-3]${TAIL}${TAIL}${TAIL}`,
  `%[fF]4%8${HEX}${TAIL}${TAIL}`,
].join('|')})`;

const CHARACTER = new RegExp(PERCENT_CHARACTER, 'g');

function decoded(run: string): string {
  // One ASCII byte (the common `%40`) is its own character: no buffer for it.
  if (run.length === 3 && run.charCodeAt(1) < 0x38) return String.fromCharCode(parseInt(run.slice(1), 16));
  const text = Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8');
  // U+FFFD itself is left as written, as before (the Athena view tells it by that character).
  return text.includes('\uFFFD') ? run : text;
}

/** `text` with its percent-encoded UTF-8 characters decoded, in one pass (a decoded `%` starts no new one). */
export const decodePercents = (text: string): string => (text.includes('%') ? text.replace(CHARACTER, decoded) : text);

/**
 * A character written as an HTML or XML character reference in a bad line's
 * text, as a page, a feed or an XML export writes an address: decimal
 * `alice&#64;test.com`, hexadecimal `&#x40;`, or named (`&commat;`, `&period;`).
 * The address and device searches decode them, after percent-encoding and
 * escapes (a JSON-escaped `\u0026#64;` reads as `@`), in one pass (`&amp;#64;`
 * is `&#64;`). Numeric ones may omit the `;`, as HTML reads them. A control or
 * the space reads as a space (no address holds one, the fold drops it and it
 * bounds an address as a space does: whole-address.ts; no NUL reaches SQL text),
 * a code point past U+10FFFF or a surrogate as itself. Named ones are those of
 * the characters an address may hold (RFC 5322's atext, `.` and `@`), as HTML
 * spells them. One pattern for JavaScript, Trino (Joni) and the stand-in's RE2;
 * its groups: 1 the whole reference, 2 hexadecimal digits, 3 decimal digits, 4 a name.
 */
export const NAMED_REFERENCES: Readonly<Record<string, string>> = {
  commat: '@',
  period: '.',
  lowbar: '_',
  amp: '&',
  apos: "'",
  plus: '+',
  excl: '!',
  num: '#',
  dollar: '$',
  percnt: '%',
  ast: '*',
  sol: '/',
  equals: '=',
  quest: '?',
  Hat: '^',
  grave: '`',
  lbrace: '{',
  rbrace: '}',
  verbar: '|',
};

export const CHARACTER_REFERENCE = `(&#[xX]0*([0-9a-fA-F]{1,6});?|&#0*([0-9]{1,7});?|&(${Object.keys(NAMED_REFERENCES).join('|')});)`;

/** Code points up to this one read as a space (the fold drops it); past LAST_CODE_POINT, or a surrogate, as written. */
export const LAST_INVISIBLE = 0x20;
export const LAST_CODE_POINT = 0x10ffff;
export const SURROGATES: readonly [number, number] = [0xd800, 0xdfff];

const REFERENCE = new RegExp(CHARACTER_REFERENCE, 'g');

function decoded(whole: string, hex: string | undefined, decimal: string | undefined, name: string | undefined): string {
  if (name !== undefined) return NAMED_REFERENCES[name];
  const code = hex !== undefined ? parseInt(hex, 16) : parseInt(decimal!, 10);
  if (code <= LAST_INVISIBLE) return ' ';
  if (code > LAST_CODE_POINT || (code >= SURROGATES[0] && code <= SURROGATES[1])) return whole;
  return String.fromCodePoint(code);
}

/** `text` with its character references decoded, in one pass (a decoded `&` starts no new one). */
export const decodeReferences = (text: string): string => (text.includes('&') ? text.replace(REFERENCE, (whole: string, _group: string, hex?: string, decimal?: string, name?: string) => decoded(whole, hex, decimal, name)) : text);

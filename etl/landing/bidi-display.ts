/**
 * An email as a screen draws it: a right-to-left override (U+202E) draws what follows it, up to a pop (U+202C) or the
 * text's end, backwards, so `\u202Emoc.x@ecila` reads alice@x.com while the fold (which drops the override as a format
 * character) spells moc.x@ecila. Only the override reorders ASCII letters (an embedding or an isolate leaves a run of
 * them as written); nested overrides are read as one. Written the same way for Trino (consent-uncertain-statements.ts).
 */

/** The right-to-left override and the pop that ends it. */
export const OVERRIDE = 0x202e;
export const POP = 0x202c;
/** An override and what it reverses (up to a pop, exclusive, or the end) as a regex, each code point written by `escape`. */
export const overriddenPattern = (escape: (codePoint: number) => string): string => `${escape(OVERRIDE)}([^${escape(POP)}]*)`;
const OVERRIDDEN_RUN = new RegExp(overriddenPattern((c) => `\\u{${c.toString(16)}}`), 'gu');
const OVERRIDE_CHARACTER = String.fromCodePoint(OVERRIDE);

/** The text as drawn when it holds an override, else undefined (nearly every email: none is reversed). */
export function displayedOf(email: string): string | undefined {
  if (!email.includes(OVERRIDE_CHARACTER)) return undefined;
  return email.replace(OVERRIDDEN_RUN, (_, run: string) => [...run].reverse().join(''));
}

import { decodedText } from './address-text';

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
/**
 * Whether a raw line may hold an override once decoded (named-addresses.ts decodedText): as itself, an escape
 * (`\u202e`), a reference (`&#8238;`, `&#x202E;`) or its percent-encoded UTF-8 (`%E2%80%AE`). Nearly no line does.
 */
export const mayOverridePattern = (escape: (codePoint: number) => string): string => `${escape(OVERRIDE)}|202[eE]|8238|[eE]2%80%[aA][eE]`;
const OVERRIDDEN_RUN = new RegExp(overriddenPattern((c) => `\\u{${c.toString(16)}}`), 'gu');
const OVERRIDE_CHARACTER = String.fromCodePoint(OVERRIDE);
const OVERRIDE_ANYWHERE = new RegExp(OVERRIDE_CHARACTER, 'gu');
const MAY_OVERRIDE = new RegExp(mayOverridePattern((c) => `\\u{${c.toString(16)}}`), 'u');

/** The text as drawn when it holds an override, else undefined (nearly every email: none is reversed). */
export function displayedOf(email: string): string | undefined {
  if (!email.includes(OVERRIDE_CHARACTER)) return undefined;
  // An override nested in a run is drawn within it: dropped, so what is drawn holds none (read once, never again).
  return email.replace(OVERRIDDEN_RUN, (_, run: string) => [...run.replace(OVERRIDE_ANYWHERE, '')].reverse().join(''));
}

/** A bad line's text as drawn, decoded (named-addresses.ts decodedText), when it holds an override; else undefined. */
export const drawnLine = (raw: string): string | undefined => (MAY_OVERRIDE.test(raw) ? displayedOf(decodedText(raw)) : undefined);

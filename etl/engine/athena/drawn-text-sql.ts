import { OVERRIDE, mayOverridePattern, overriddenPattern } from '../../landing/bidi-display';
import { unwrapped } from './address-spelling-sql';
import { literal } from './statements';

/** Text as a right-to-left override draws it (bidi-display.ts), in Trino, for the Athena doubt view (consent-uncertain-statements.ts). */

/** A code point as a Trino regex writes it. */
export const trinoCodePoint = (c: number): string => `\\x{${c.toString(16).toUpperCase()}}`;
/** A text as drawn (bidi-display.ts displayedOf): each right-to-left override's run reversed, overrides inside it dropped. */
export const drawn = (text: string): string =>
  `regexp_replace(${text}, ${literal(overriddenPattern(trinoCodePoint))}, "r" -> reverse(replace("r"[1], chr(${OVERRIDE}), '')))`;
/** A "line" as drawn, decoded (bidi-display.ts drawnLine), for the rows where DRAWS_LINE holds. */
export const DRAWN_LINE = drawn(unwrapped('"line"'));
/** Whether a "line" is drawn otherwise: it may hold a right-to-left override as written, and does once decoded. */
export const DRAWS_LINE = `regexp_like("line", ${literal(mayOverridePattern(trinoCodePoint))}) AND strpos(${unwrapped('"line"')}, chr(${OVERRIDE})) > 0`;

import { MAX_SAFE_WHOLE, MIN_EPOCH_MS, NOT_VISIBLE_ASCII, REASONS, keySpellingOf } from '../../landing/landing-rules';
import { LOWER, UPPER } from '../../landing/address-text';
import type { Column } from '../../tables';
import { literal, q } from './statements';

/**
 * The checked landing view's rules for each declared field (landing-statements.ts): present when required, of its
 * JSON type, whole numbers within ±(2^53 − 1), customer dates in milliseconds, a customer's serial visible ASCII, finite doubles, refused in the
 * embedded reader's words. A field is read twice per line: its raw text (`<name>__raw`, json_extract_scalar) and its parsed JSON (`<name>__json`).
 */

const STARTS_LIKE_NUMBER = "'^-?[0-9]'";

export const rawOf = (c: Column): string => q(`${c.name}__raw`);
export const jsonOf = (c: Column): string => q(`${c.name}__json`);

/** The field's value is a JSON number (by its raw text: Trino writes a double too large to hold as the string "Infinity"). */
const isNumber = (c: Column): string =>
  `(regexp_like(coalesce(${rawOf(c)}, ''), ${STARTS_LIKE_NUMBER}) AND (NOT starts_with(${jsonOf(c)}, '"') OR ${jsonOf(c)} IN ('"Infinity"', '"-Infinity"')))`;

/** What the field holds, worded as the embedded reader words it. */
function got(c: Column): string {
  const json = jsonOf(c);
  return `CASE WHEN ${isNumber(c)} THEN 'a number' WHEN starts_with(${json}, '"') THEN 'a string' WHEN starts_with(${json}, '{') THEN 'an object' WHEN starts_with(${json}, '[') THEN 'an array' ELSE 'a boolean' END`;
}

const absent = (c: Column): string => `(${jsonOf(c)} IS NULL OR ${jsonOf(c)} = 'null')`;
const asDouble = (c: Column): string => `try_cast(${rawOf(c)} AS double)`;

export function fieldRules(c: Column): string[] {
  const rules: string[] = [];
  if (c.required) rules.push(`WHEN ${absent(c)} THEN ${literal(REASONS.missing(c.name))}`);
  const present = `NOT ${absent(c)}`;
  // The wording up to "got " is the embedded reader's; what the field holds is decided in SQL.
  const wrong = (got: string): string => `${literal(REASONS.wrongType(c.name, c.type, ''))} || ${got}`;
  if (c.type === 'VARCHAR') {
    rules.push(`WHEN ${present} AND NOT (starts_with(${jsonOf(c)}, '"') AND NOT ${isNumber(c)}) THEN ${wrong(got(c))}`);
    if (c.maxBytes !== undefined) rules.push(`WHEN ${present} AND length(to_utf8(${rawOf(c)})) > ${c.maxBytes} THEN ${literal(REASONS.textTooLong(c.name, c.maxBytes))}`);
    if (c.visibleAscii) rules.push(`WHEN ${present} AND regexp_like(${rawOf(c)}, ${literal(NOT_VISIBLE_ASCII)}) THEN ${literal(REASONS.notVisibleAscii(c.name))}`);
  } else {
    rules.push(`WHEN ${present} AND NOT ${isNumber(c)} THEN ${wrong(got(c))}`);
  }
  if (c.type === 'BIGINT') {
    // JSON has one number type: 1.0 and 1e3 are whole numbers, 1.5 is not.
    rules.push(`WHEN ${present} AND ${asDouble(c)} <> floor(${asDouble(c)}) THEN ${wrong("'a fraction'")}`);
    rules.push(`WHEN ${present} AND abs(${asDouble(c)}) > ${MAX_SAFE_WHOLE} THEN ${literal(REASONS.wholeOutOfRange(c.name))}`);
    if (c.epochMs) rules.push(`WHEN ${present} AND ${asDouble(c)} < ${MIN_EPOCH_MS} THEN ${literal(REASONS.dateInSeconds(c.name))}`);
  }
  return rules;
}

// `+ 0e0` makes -0.0 zero: Trino's ORDER BY puts -0.0 before 0.0 where `=` holds them equal, and API pages sort and resume by both.
export function typedValue(c: Column): string {
  const value = c.type === 'VARCHAR' ? rawOf(c) : c.type === 'BIGINT' ? `CAST(${asDouble(c)} AS bigint)` : `(${asDouble(c)} + 0e0)`;
  return `CASE WHEN "reason" IS NULL THEN ${value} END AS ${q(c.name)}`;
}

/** A declared field holding a number no double can hold (1e309). */
export const nonFinite = (columns: readonly Column[]): string =>
  columns.map((c) => `(${isNumber(c)} AND NOT coalesce(is_finite(${asDouble(c)}), false))`).join(' OR ');

/** The line's top-level keys (NULL unless its parse is an object with one value per key), a column read by every field's rules below. */
export const KEYS = q('keys');
export const topKeys = (doc: string): string => `map_keys(try_cast(${doc} AS map(varchar, json))) AS ${KEYS}`;

/**
 * The first declared field (in declared order) whose key another top-level key respells (keySpellingOf: ASCII case
 * and what is not a letter or digit aside), as the embedded reader names it.
 */
export const respelled = (columns: readonly Column[]): string[] =>
  columns.map(
    (c) =>
      `WHEN cardinality(filter(${KEYS}, "k" -> "k" <> ${literal(c.name)} AND ` +
      `regexp_replace(translate("k", ${literal(UPPER)}, ${literal(LOWER)}), '[^a-z0-9]', '') = ${literal(keySpellingOf(c.name))})) > 0 THEN ${literal(REASONS.respelledKey(c.name))}`,
  );

/** The first declared field written twice, named as the embedded reader names it: the raw text holds it more often than json_parse kept it. */
export const duplicated = (columns: readonly Column[]): string =>
  `CASE ${columns
    .map((c) => `WHEN regexp_count("line", ${literal(`"${c.name}"\\s*:`)}) > regexp_count(json_format("doc"), ${literal(`"${c.name}":`)}) THEN ${literal(REASONS.duplicateKey(c.name))}`)
    .join(' ')} ELSE ${literal(REASONS.duplicateKey(undefined))} END`;

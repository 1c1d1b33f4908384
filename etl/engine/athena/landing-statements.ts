import { type Column, type Source, TABLES, landingTableOf } from '../../tables';
import { landingCheckedName, landingJsonName, quarantineName, versionedName } from './object-names';
import { type Statement, bq, createTableAs, literal, q, qualified } from './statements';

/**
 * Landing on Athena, with the same per-line rules as the embedded engine.
 * Each line is read whole, as one string (the RegexSerDe with `(?s)^(.*)$`:
 * no field delimiter can cut a hostile line short, and no JSON SerDe decides
 * leniently what the line means). The checked view then applies the strict
 * rules with Trino's JSON functions, under `try`, and keeps the raw line for
 * the quarantine:
 *
 * - blank and whitespace-only lines are skipped (not counted as lines);
 * - Athena's reader turns invalid UTF-8 into U+FFFD, so a line holding U+FFFD
 *   is refused as invalid UTF-8; a line longer than the byte limit is refused;
 * - a leading BOM; NaN or Infinity; a control character inside a string; an
 *   unpaired surrogate escape (Jackson accepts it; found in the raw text);
 *   any other text json_parse refuses is malformed JSON, unless its first
 *   value is whole (json_size reads only that), then it is text after the
 *   value; json_parse ignores a second value after the first, found by
 *   parsing the line wrapped in [ ];
 * - a root that is not an object; duplicate keys (json_size counts every key
 *   of the raw text, json_parse keeps one per name);
 * - each declared field: present and not null when required, of the right
 *   JSON type, whole numbers within ±(2^53 − 1), finite doubles. A number's
 *   text is read from the raw line (json_extract_scalar), its JSON type from
 *   the parsed value: Trino writes a double too large to hold as the string
 *   "Infinity", which is recognised by its raw text being a number.
 *
 * What still differs is listed in the README ("What differs on Athena"):
 * line numbers, a lone CR, a literal U+FFFD, and nested undeclared values.
 */

/** The embedded engine's default; lines longer than this are quarantined. */
export const DEFAULT_MAX_LINE_BYTES = 1_048_576;
export const MAX_SAFE_INTEGER = 9_007_199_254_740_991;

const STARTS_LIKE_NUMBER = "'^-?[0-9]'";
// Strings are paired quote by quote from the line's start, so a control character after an opening quote is inside a string.
const CONTROL_IN_STRING = `'^[^"]*("(?:[^"\\\\]|\\\\.)*"[^"]*)*"(?:[^"\\\\]|\\\\.)*[\\x00-\\x1f]'`;
// Escaped backslashes are removed first, so \\ud800 (a backslash, then text) is not taken for an escape.
const SURROGATE_PAIR = `'\\\\u[dD][89abAB][0-9a-fA-F]{2}\\\\u[dD][c-fC-F][0-9a-fA-F]{2}'`;
const SURROGATE = `'\\\\u[dD][89a-fA-F][0-9a-fA-F]{2}'`;

export function createLandingJsonTable(database: string, source: Source, version: string, location: string): Statement {
  return {
    grammar: 'hive',
    sql: [
      `CREATE EXTERNAL TABLE ${bq(database)}.${bq(landingJsonName(source, version))} (`,
      `  ${bq('line')} STRING`,
      `)`,
      `ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'`,
      `WITH SERDEPROPERTIES ('input.regex' = '(?s)^(.*)$')`,
      `STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'`,
      `OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'`,
      `LOCATION ${literal(location)}`,
    ].join('\n'),
  };
}

const rawOf = (c: Column): string => q(`${c.name}__raw`);
const jsonOf = (c: Column): string => q(`${c.name}__json`);

/** The field's value is a JSON number (by its raw text; see above for "Infinity"). */
const isNumber = (c: Column): string =>
  `(regexp_like(coalesce(${rawOf(c)}, ''), ${STARTS_LIKE_NUMBER}) AND (NOT starts_with(${jsonOf(c)}, '"') OR ${jsonOf(c)} IN ('"Infinity"', '"-Infinity"')))`;

const TYPE_WORD = { VARCHAR: 'a string', BIGINT: 'a whole number', DOUBLE: 'a number' } as const;

/** What the field holds, worded as the embedded reader words it. */
function got(c: Column): string {
  const json = jsonOf(c);
  return `CASE WHEN ${isNumber(c)} THEN 'a number' WHEN starts_with(${json}, '"') THEN 'a string' WHEN starts_with(${json}, '{') THEN 'an object' WHEN starts_with(${json}, '[') THEN 'an array' ELSE 'a boolean' END`;
}

const absent = (c: Column): string => `(${jsonOf(c)} IS NULL OR ${jsonOf(c)} = 'null')`;
const asDouble = (c: Column): string => `try_cast(${rawOf(c)} AS double)`;

function fieldRules(c: Column): string[] {
  const rules: string[] = [];
  if (c.required) rules.push(`WHEN ${absent(c)} THEN ${literal(`missing required field "${c.name}"`)}`);
  const present = `NOT ${absent(c)}`;
  const wrong = (got: string): string => `${literal(`field "${c.name}" must be ${TYPE_WORD[c.type]}, got `)} || ${got}`;
  if (c.type === 'VARCHAR') {
    rules.push(`WHEN ${present} AND NOT (starts_with(${jsonOf(c)}, '"') AND NOT ${isNumber(c)}) THEN ${wrong(got(c))}`);
  } else {
    rules.push(`WHEN ${present} AND NOT ${isNumber(c)} THEN ${wrong(got(c))}`);
  }
  if (c.type === 'BIGINT') {
    // JSON has one number type: 1.0 and 1e3 are whole numbers, 1.5 is not.
    rules.push(`WHEN ${present} AND ${asDouble(c)} <> floor(${asDouble(c)}) THEN ${wrong("'a fraction'")}`);
    rules.push(`WHEN ${present} AND abs(${asDouble(c)}) > ${MAX_SAFE_INTEGER} THEN ${literal(`field "${c.name}" is outside ±(2^53 - 1)`)}`);
  }
  return rules;
}

function typedValue(c: Column): string {
  const value = c.type === 'VARCHAR' ? rawOf(c) : c.type === 'BIGINT' ? `CAST(${asDouble(c)} AS bigint)` : asDouble(c);
  return `CASE WHEN "reason" IS NULL THEN ${value} END AS ${q(c.name)}`;
}

/** A declared field holding a number no double can hold (1e309). */
const nonFinite = (columns: readonly Column[]): string =>
  columns.map((c) => `(${isNumber(c)} AND NOT coalesce(is_finite(${asDouble(c)}), false))`).join(' OR ');

/** The first declared field written twice, named as the embedded reader names it: the raw text holds it more often than json_parse kept it. */
const duplicated = (columns: readonly Column[]): string =>
  `CASE ${columns
    .map((c) => `WHEN regexp_count("line", ${literal(`"${c.name}"\\s*:`)}) > regexp_count(json_format("doc"), ${literal(`"${c.name}":`)}) THEN ${literal(`duplicate key "${c.name}"`)}`)
    .join(' ')} ELSE 'duplicate key' END`;

/** Every non-blank landing line with its file, its raw text, why it is refused (NULL: accepted) and, when accepted, its typed fields. */
export function createCheckedView(database: string, source: Source, version: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): Statement {
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError(`the landing line limit must be a whole number of bytes; received ${maxLineBytes}`);
  const columns = TABLES[landingTableOf(source)].columns;
  const reason = [
    `    WHEN strpos("line", chr(65533)) > 0 THEN 'invalid UTF-8'`,
    `    WHEN length(to_utf8("line")) > ${maxLineBytes} THEN ${literal(`line longer than ${maxLineBytes} bytes`)}`,
    `    WHEN starts_with(ltrim("line"), chr(65279)) THEN 'starts with a byte order mark'`,
    `    WHEN "doc" IS NULL AND regexp_like("line", '[\\[:,]\\s*-?(NaN|Infinity)') THEN 'NaN or Infinity is not JSON'`,
    `    WHEN "doc" IS NULL AND regexp_like("line", ${CONTROL_IN_STRING}) THEN 'control character inside a string'`,
    `    WHEN regexp_like(regexp_replace(regexp_replace("line", '\\\\\\\\', ''), ${SURROGATE_PAIR}, ''), ${SURROGATE}) THEN 'unpaired surrogate escape in a string'`,
    // json_size reads only the first value: it has one when json_parse refused the text after it.
    `    WHEN "doc" IS NULL AND json_size("line", '$') IS NOT NULL THEN 'text after the JSON value'`,
    `    WHEN "doc" IS NULL THEN 'malformed JSON'`,
    `    WHEN coalesce(json_array_length(try(json_parse('[' || "line" || ']'))), 0) <> 1 THEN 'text after the JSON value'`,
    `    WHEN NOT starts_with(json_format("doc"), '{') THEN 'not a JSON object'`,
    `    WHEN coalesce(json_size("line", '$') <> json_size(json_format("doc"), '$'), true) OR try_cast("doc" AS map(varchar, json)) IS NULL THEN ${duplicated(columns)}`,
    `    WHEN ${nonFinite(columns)} THEN 'number out of range'`,
    ...columns.flatMap(fieldRules).map((r) => `    ${r}`),
  ];
  return {
    grammar: 'trino',
    sql: [
      `CREATE VIEW ${qualified(database, landingCheckedName(source, version))} AS`,
      `WITH`,
      `"lines" AS (`,
      `  SELECT "$path" AS "sourceFile", "line", try(json_parse("line")) AS "doc"`,
      `  FROM ${qualified(database, landingJsonName(source, version))}`,
      `  WHERE NOT regexp_like(coalesce("line", ''), '^[ \\t\\r]*$')`,
      `),`,
      `"fields" AS (`,
      `  SELECT "sourceFile", "line", "doc",`,
      columns.map((c) => `    json_extract_scalar("line", ${literal(`$.${c.name}`)}) AS ${rawOf(c)},\n    json_format(json_extract("doc", ${literal(`$.${c.name}`)})) AS ${jsonOf(c)}`).join(',\n'),
      `  FROM "lines"`,
      `),`,
      `"checked" AS (`,
      `  SELECT *, CASE`,
      ...reason,
      `  END AS "reason"`,
      `  FROM "fields"`,
      `)`,
      `SELECT "sourceFile", "line", "reason",`,
      columns.map((c) => `  ${typedValue(c)}`).join(',\n'),
      `FROM "checked"`,
    ].join('\n'),
  };
}

/** The typed landing table of a version: the accepted records only, with the declared types. */
export function createLandingView(database: string, source: Source, version: string): Statement {
  const table = landingTableOf(source);
  return {
    grammar: 'trino',
    sql: [
      `CREATE VIEW ${qualified(database, versionedName(table, version))} AS`,
      `SELECT ${TABLES[table].columns.map((c) => q(c.name)).join(', ')}`,
      `FROM ${qualified(database, landingCheckedName(source, version))}`,
      `WHERE "reason" IS NULL`,
    ].join('\n'),
  };
}

export function countLanding(database: string, source: Source, version: string): Statement {
  return {
    grammar: 'trino',
    sql: `SELECT count(*) AS "lines", count_if("reason" IS NULL) AS "accepted" FROM ${qualified(database, landingCheckedName(source, version))}`,
  };
}

/** The refused lines of a source, each with its file, reason and raw text, written as JSON under the version's quarantine prefix. */
export function createQuarantine(database: string, source: Source, version: string, location: string): Statement {
  return createTableAs(
    { database, name: quarantineName(source, version), location, format: 'JSON' },
    `SELECT "sourceFile", "reason", "line"\nFROM ${qualified(database, landingCheckedName(source, version))}\nWHERE "reason" IS NOT NULL`,
  );
}

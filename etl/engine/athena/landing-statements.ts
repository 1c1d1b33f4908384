import { FILE_STARTS } from '../../landing/file-starts';
import { DEFAULT_MAX_LINE_BYTES, REASONS } from '../../landing/landing-rules';
import { type Source, TABLES, landingTableOf } from '../../tables';
import { KEYS, duplicated, fieldRules, jsonOf, nonFinite, rawOf, respelled, topKeys, typedValue } from './landing-field-rules';
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
 * - blank and whitespace-only lines are skipped (counted as blank);
 * - a line starting as a compressed file (gzip's magic bytes, ...) or UTF-16 text does is refused as one, naming
 *   the format, and so is every other refused line of its file;
 * - Athena's reader turns invalid UTF-8 into U+FFFD, so a line holding U+FFFD
 *   is refused as invalid UTF-8; a line longer than the byte limit is refused;
 * - a root starting N or I, or a root number or word run into text, as the
 *   embedded reader decides it (Jackson calls both malformed);
 * - a leading BOM; NaN or Infinity; a control character inside a string; an
 *   unpaired surrogate escape (Jackson accepts it; found in the raw text);
 *   any other text json_parse refuses is malformed JSON, unless its first
 *   value is whole (json_size reads only that), then it is text after the
 *   value; json_parse ignores a second value after the first, found by
 *   parsing the line wrapped in [ ];
 * - a root that is not an object; duplicate keys (json_size counts every key
 *   of the raw text, json_parse keeps one per name); a top-level key that
 *   respells a declared field's (ASCII case and what is not a letter or digit
 *   aside: `SerialNumber`, `share_with_research_as_of_date`);
 * - each declared field: present and not null when required, of the right
 *   JSON type, whole numbers within ±(2^53 − 1), finite doubles. A number's
 *   text is read from the raw line (json_extract_scalar), its JSON type from
 *   the parsed value: Trino writes a double too large to hold as the string
 *   "Infinity", which is recognised by its raw text being a number.
 *
 * What still differs is listed in the README ("What differs on Athena"):
 * line numbers, a lone CR, a literal U+FFFD, and nested undeclared values.
 */

/** A blank line: JSON whitespace only (a line never holds \n). */
const BLANK_LINE = `regexp_like(coalesce("line", ''), '^[ \\t\\r]*$')`;
// A root that is a number or a word: the embedded reader reads that first value, then refuses any text after it; Jackson calls a root value run into other text malformed.
const ROOT_NOT_NUMBER = "'^[ \\t\\r]*-?[NI]'";
const ROOT_NUMBER = '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?';
// Each alternative ends where the embedded reader's number ends (never inside a fraction or an exponent it would still read).
const ROOT_RUN_ON = `'^[ \\t\\r]*(-?(0|[1-9][0-9]*)(\\.[0-9]+)?[eE][+-]?[0-9]+[^ \\t\\r0-9]|-?(0|[1-9][0-9]*)\\.[0-9]+[^ \\t\\r0-9eE]|-?[1-9][0-9]*[^ \\t\\r0-9.eE]|-?0[^ \\t\\r.eE]|(true|false|null)[ \\t\\r]*[^ \\t\\r])'`;
// A control character is the reason only when the embedded reader reaches it: the text before it must read as JSON so far.
// Token by token (a regular over-approximation of the grammar: brackets are not matched), then the string holding it.
const WS = '[ \\t\\r]*';
const STRING_BODY = '(?:[^"\\\\\\x00-\\x1f]|\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4}))*';
const STRING = `"${STRING_BODY}"`;
const SCALAR = '(?:-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)';
const TO_COMMA = `(?:[}\\]]${WS})*,${WS}`;
const AFTER_KEY_OR_STRING = `${STRING}${WS}(?::${WS}|${TO_COMMA})`;
// One step from where a value may start to where a value may start again.
const STEP = `(?:\\[${WS}\\]${WS}${TO_COMMA}|\\[${WS}|\\{${WS}\\}${WS}${TO_COMMA}|\\{${WS}${AFTER_KEY_OR_STRING}|${AFTER_KEY_OR_STRING}|${SCALAR}${WS}${TO_COMMA})`;
// The root opens an array or an object (a root string or number ends the value; what follows is text after it).
const HEAD = `(?:\\[${WS}|\\{${WS}${AFTER_KEY_OR_STRING})`;
const CONTROL_IN_STRING = `'^${WS}(?:${HEAD}${STEP}*)?(?:\\{${WS})?"${STRING_BODY}[\\x00-\\x1f]'`;
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

/** Every non-blank landing line with its file, its raw text, why it is refused (NULL: accepted) and, when accepted, its typed fields. */
export function createCheckedView(database: string, source: Source, version: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): Statement {
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError(`the landing line limit must be a whole number of bytes; received ${maxLineBytes}`);
  const columns = TABLES[landingTableOf(source)].columns;
  const reason = [
    // First, as the embedded reader decides it: a line starting as a compressed file or UTF-16 text does (file-starts.ts).
    ...FILE_STARTS.map(({ start, reason }) => `    WHEN regexp_like("line", ${literal(`^(?:${start})`)}) THEN ${literal(reason)}`),
    `    WHEN strpos("line", chr(65533)) > 0 THEN ${literal(REASONS.invalidUtf8)}`,
    `    WHEN length(to_utf8("line")) > ${maxLineBytes} THEN ${literal(REASONS.tooLong(maxLineBytes))}`,
    `    WHEN starts_with(ltrim("line"), chr(65279)) THEN ${literal(REASONS.byteOrderMark)}`,
    `    WHEN regexp_like("line", ${ROOT_NOT_NUMBER}) THEN ${literal(REASONS.notNumber)}`,
    `    WHEN regexp_like("line", ${ROOT_RUN_ON}) THEN CASE WHEN regexp_like("line", '^[ \\t\\r]*[tfn]') OR coalesce(is_finite(try_cast(regexp_extract("line", '${ROOT_NUMBER}') AS double)), false) THEN ${literal(REASONS.trailingText)} ELSE ${literal(REASONS.numberOutOfRange)} END`,
    `    WHEN "doc" IS NULL AND regexp_like("line", '[\\[:,]\\s*-?(NaN|Infinity)') THEN ${literal(REASONS.notNumber)}`,
    `    WHEN "doc" IS NULL AND regexp_like("line", ${CONTROL_IN_STRING}) THEN ${literal(REASONS.controlCharacter)}`,
    `    WHEN regexp_like(regexp_replace(regexp_replace("line", '\\\\\\\\', ''), ${SURROGATE_PAIR}, ''), ${SURROGATE}) THEN ${literal(REASONS.unpairedSurrogate)}`,
    // json_size reads only the first value: it has one when json_parse refused the text after it.
    `    WHEN "doc" IS NULL AND json_size("line", '$') IS NOT NULL THEN ${literal(REASONS.trailingText)}`,
    `    WHEN "doc" IS NULL THEN ${literal(REASONS.malformed)}`,
    `    WHEN coalesce(json_array_length(try(json_parse('[' || "line" || ']'))), 0) <> 1 THEN ${literal(REASONS.trailingText)}`,
    `    WHEN NOT starts_with(json_format("doc"), '{') THEN ${literal(REASONS.notObject)}`,
    // The keys json_parse kept, one per name (NULL when the parse is no map of them): fewer than the raw text holds is a key written twice.
    `    WHEN coalesce(json_size("line", '$') <> cardinality(${KEYS}), true) THEN ${duplicated(columns)}`,
    `    WHEN ${nonFinite(columns)} THEN ${literal(REASONS.numberOutOfRange)}`,
    ...columns.flatMap(fieldRules).map((r) => `    ${r}`),
    ...respelled(columns).map((r) => `    ${r}`),
  ];
  return {
    grammar: 'trino',
    sql: [
      `CREATE VIEW ${qualified(database, landingCheckedName(source, version))} AS`,
      `WITH`,
      `"lines" AS (`,
      `  SELECT "$path" AS "sourceFile", "line", try(json_parse("line")) AS "doc"`,
      `  FROM ${qualified(database, landingJsonName(source, version))}`,
      `  WHERE NOT ${BLANK_LINE}`,
      `),`,
      // Each line's facts are columns projected once, which every field's rule then reads: Trino inlines a projected
      // expression into the one reading it only when it is read once (InlineProjections), so "keys" is computed once per line.
      `"fields" AS (`,
      `  SELECT "sourceFile", "line", "doc", ${topKeys('"doc"')},`,
      columns.map((c) => `    json_extract_scalar("line", ${literal(`$.${c.name}`)}) AS ${rawOf(c)},\n    json_format(json_extract("doc", ${literal(`$.${c.name}`)})) AS ${jsonOf(c)}`).join(',\n'),
      `  FROM "lines"`,
      `),`,
      `"checked" AS (`,
      `  SELECT *, CASE`,
      ...reason,
      `  END AS "reason"`,
      `  FROM "fields"`,
      `),`,
      // Every bad line of a file holding a compressed file's (or UTF-16's) start is that file's bytes: it says so (no line
      // order here). Grouped from the few lines that start so, then joined: a window over each file held all its lines.
      `"fileStarts" AS (`,
      `  SELECT "sourceFile", min(CASE ${FILE_STARTS.map(({ start }, k) => `WHEN regexp_like("line", ${literal(`^(?:${start})`)}) THEN ${k}`).join(' ')} END) AS "fileStart"`,
      `  FROM "lines"`,
      `  WHERE regexp_like("line", ${literal(`^(?:${FILE_STARTS.map(({ start }) => `(?:${start})`).join('|')})`)})`,
      `  GROUP BY "sourceFile"`,
      `)`,
      `SELECT "checked"."sourceFile", "line",`,
      `  CASE WHEN "reason" IS NULL OR "reason" IN (${[...new Set(FILE_STARTS.map((f) => literal(f.reason)))].join(', ')}) THEN "reason"`,
      `  ELSE coalesce(CASE "fileStart" ${FILE_STARTS.map(({ reason }, k) => `WHEN ${k} THEN ${literal(reason)}`).join(' ')} END, "reason") END AS "reason",`,
      columns.map((c) => `  ${typedValue(c)}`).join(',\n'),
      `FROM "checked" LEFT JOIN "fileStarts" ON "fileStarts"."sourceFile" = "checked"."sourceFile"`,
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

/** Lines, blank lines (counted on the raw table) and accepted lines (on the checked view): accepted + quarantined + blank = lines is then a real check. */
export function countLanding(database: string, source: Source, version: string): Statement {
  return {
    grammar: 'trino',
    sql: [
      `SELECT "raw"."lines", "raw"."blank", "checked"."accepted"`,
      `FROM (SELECT count(*) AS "lines", count_if(${BLANK_LINE}) AS "blank" FROM ${qualified(database, landingJsonName(source, version))}) AS "raw"`,
      `CROSS JOIN (SELECT count_if("reason" IS NULL) AS "accepted" FROM ${qualified(database, landingCheckedName(source, version))}) AS "checked"`,
    ].join('\n'),
  };
}

/** Quarantined lines (and the files they are in) per reason, counts only, never line content; the lines add up to the quarantine count. */
export function countQuarantineReasons(database: string, source: Source, version: string): Statement {
  return { grammar: 'trino', sql: `SELECT "reason", count(*) AS "lines", count(DISTINCT "sourceFile") AS "files"\nFROM ${qualified(database, quarantineName(source, version))}\nGROUP BY "reason"` };
}

/** The refused lines of a source, each with its file, reason and raw text, written as JSON under the version's quarantine prefix. */
export function createQuarantine(database: string, source: Source, version: string, location: string): Statement {
  return createTableAs(
    { database, name: quarantineName(source, version), location, format: 'JSON' },
    `SELECT "sourceFile", "reason", "line"\nFROM ${qualified(database, landingCheckedName(source, version))}\nWHERE "reason" IS NOT NULL`,
  );
}

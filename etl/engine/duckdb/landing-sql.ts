import type { Column, ColumnType } from '../../tables';

/**
 * DuckDB's landing reader. Every line is checked against the declared schema
 * (nothing is inferred), so a bad line is quarantined with its file, line
 * number and reason instead of stopping the build or vanishing.
 */

const JSON_TYPES_ACCEPTED: Record<ColumnType, readonly string[]> = {
  VARCHAR: ['VARCHAR'],
  BIGINT: ['BIGINT', 'UBIGINT'],
  DOUBLE: ['BIGINT', 'UBIGINT', 'DOUBLE'],
};
const TYPE_WORD: Record<ColumnType, string> = { VARCHAR: 'a string', BIGINT: 'a whole number', DOUBLE: 'a number' };

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const path = (column: Column): string => literal(`$."${column.name}"`);

const NOT_BLANK = `line IS NOT NULL AND (length(line) > 8 OR trim(line, ' ' || chr(9) || chr(13)) <> '')`;

/**
 * Non-blank lines of the files bound to the one parameter (a list of paths),
 * unnumbered: DuckDB's parallel CSV reader with one column and no delimiter,
 * quoting or escaping, as fast as reading the JSON itself.
 */
export function linesSql(): string {
  return `SELECT filename AS source_file, CAST(NULL AS BIGINT) AS line_number, line
FROM read_csv(?, columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', header = false,
              auto_detect = false, strict_mode = false, filename = true, max_line_size = 8388608)
WHERE ${NOT_BLANK}`;
}

/**
 * The same lines numbered from 1: each file is read whole and split, which is
 * single-threaded, so only files known to hold bad lines are read this way.
 * A Windows line's trailing CR is JSON whitespace and left in place.
 */
export function numberedLinesSql(): string {
  return `SELECT source_file, line_number, line FROM (
  SELECT filename AS source_file, unnest(range(1, len(lines) + 1)) AS line_number, unnest(lines) AS line
  FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text(?))
) WHERE ${NOT_BLANK}`;
}

/**
 * One row per line: `reason` is null for a line that fits the schema (its
 * fields then in `parsed`), else why it does not (and where it came from).
 * Only bad lines keep their text, so good lines are not copied twice.
 */
export function checkedSql(relation: string, lines: string, columns: readonly Column[]): string {
  const paths = ["'$'", ...columns.map(path)].join(', ');
  const typeColumns = columns.map((_, i) => `types[${i + 2}] AS t${i}`).join(', ');
  const fieldRules = columns.flatMap((column, i) => {
    const type = `t${i}`;
    const accepted = JSON_TYPES_ACCEPTED[column.type].map(literal).join(', ');
    const rules: string[] = [];
    if (column.required) {
      rules.push(`WHEN ${type} IS NULL OR ${type} = 'NULL' THEN ${literal(`missing required field "${column.name}"`)}`);
    }
    rules.push(
      `WHEN ${type} <> 'NULL' AND ${type} NOT IN (${accepted}) ` +
        `THEN ${literal(`field "${column.name}" must be ${TYPE_WORD[column.type]}, got `)} || lower(${type})`,
    );
    if (column.type === 'BIGINT') {
      rules.push(`WHEN ${type} = 'UBIGINT' AND TRY_CAST(json_extract(line, ${path(column)}) AS BIGINT) IS NULL THEN ${literal(`field "${column.name}" is out of range`)}`);
    }
    return rules;
  });
  // The common case first: a line whose every type is plainly right skips the per-field rules.
  const plainlyRight = [
    'valid',
    "root = 'OBJECT'",
    ...columns.map((column, i) => {
      const plain = (column.type === 'BIGINT' ? ['BIGINT'] : JSON_TYPES_ACCEPTED[column.type]).map(literal).join(', ');
      return column.required ? `t${i} IN (${plain})` : `(t${i} IS NULL OR t${i} = 'NULL' OR t${i} IN (${plain}))`;
    }),
  ].join(' AND ');
  const structType = literal(JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, c.type]))));
  return `CREATE TABLE ${relation} AS
SELECT reason,
  CASE WHEN reason IS NULL THEN json_transform(line, ${structType}) END AS parsed,
  CASE WHEN reason IS NOT NULL THEN source_file END AS source_file,
  CASE WHEN reason IS NOT NULL THEN line_number END AS line_number,
  CASE WHEN reason IS NOT NULL THEN line END AS line
FROM (
SELECT source_file, line_number, line,
  CASE
    WHEN ${plainlyRight} THEN NULL
    WHEN NOT valid THEN 'malformed JSON'
    WHEN root <> 'OBJECT' THEN 'not a JSON object'
    ${fieldRules.join('\n    ')}
  END AS reason
FROM (
  SELECT source_file, line_number, line, valid, types[1] AS root, ${typeColumns} FROM (
    SELECT source_file, line_number, line, valid, CASE WHEN valid THEN json_type(line, [${paths}]) END AS types
    FROM (SELECT *, json_valid(line) AS valid FROM (${lines}))
  )
)
)`;
}

/** The typed landing table: every accepted line, one column per declared field. */
export function acceptedSql(relation: string, checked: string, columns: readonly Column[]): string {
  const fields = columns.map((c) => `parsed."${c.name}" AS "${c.name}"`).join(', ');
  return `CREATE TABLE ${relation} AS SELECT ${fields} FROM ${checked} WHERE reason IS NULL`;
}

/** The quarantined lines, in file and line order, written as newline-delimited JSON. */
export function quarantineCopySql(checked: string, file: string): string {
  return `COPY (
  SELECT source_file AS "sourceFile", line_number AS "lineNumber", reason, rtrim(line, chr(13)) AS line
  FROM ${checked} WHERE reason IS NOT NULL ORDER BY source_file, line_number
) TO ${literal(file)} (FORMAT json)`;
}

export const sqlStringLiteral = literal;

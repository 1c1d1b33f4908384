import type { Column, ColumnType } from '../../tables';

/**
 * DuckDB's landing reader. Files are read as text and split into numbered
 * lines, so a bad line is quarantined with its file, line number and reason
 * instead of stopping the build or vanishing. Each field is checked against
 * the declared schema; nothing is inferred.
 */

const JSON_TYPES_ACCEPTED: Record<ColumnType, readonly string[]> = {
  VARCHAR: ['VARCHAR'],
  BIGINT: ['BIGINT', 'UBIGINT'],
  DOUBLE: ['BIGINT', 'UBIGINT', 'DOUBLE'],
};
const TYPE_WORD: Record<ColumnType, string> = { VARCHAR: 'a string', BIGINT: 'a whole number', DOUBLE: 'a number' };

const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const path = (column: Column): string => literal(`$."${column.name}"`);

/** Non-blank lines of the files bound to the one parameter (a list of paths), numbered from 1. */
export function linesSql(): string {
  return `SELECT source_file, line_number, line FROM (
  SELECT filename AS source_file, unnest(range(1, len(lines) + 1)) AS line_number, rtrim(unnest(lines), chr(13)) AS line
  FROM (SELECT filename, string_split(content, chr(10)) AS lines FROM read_text(?))
) WHERE trim(line) <> ''`;
}

/**
 * Adds `reason`: null for a line that fits the schema, else why it does not.
 * Each line is parsed twice only (validity, then every field's JSON type in one call).
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
  return `CREATE TEMP TABLE ${relation} AS
SELECT source_file, line_number, line,
  CASE
    WHEN NOT valid THEN 'malformed JSON'
    WHEN root <> 'OBJECT' THEN 'not a JSON object'
    ${fieldRules.join('\n    ')}
  END AS reason
FROM (
  SELECT source_file, line_number, line, valid, types[1] AS root, ${typeColumns} FROM (
    SELECT source_file, line_number, line, valid, CASE WHEN valid THEN json_type(line, [${paths}]) END AS types
    FROM (SELECT *, json_valid(line) AS valid FROM (${lines}))
  )
)`;
}

/** The typed landing table: every accepted line, one column per declared field. */
export function acceptedSql(relation: string, checked: string, columns: readonly Column[]): string {
  const structType = literal(JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, c.type]))));
  const fields = columns.map((c) => `parsed."${c.name}" AS "${c.name}"`).join(', ');
  return `CREATE TEMP TABLE ${relation} AS
SELECT ${fields} FROM (
  SELECT json_transform(line, ${structType}) AS parsed FROM ${checked} WHERE reason IS NULL
)`;
}

/** The quarantined lines, in file and line order, written as newline-delimited JSON. */
export function quarantineCopySql(checked: string, file: string): string {
  return `COPY (
  SELECT source_file AS "sourceFile", line_number AS "lineNumber", reason, line
  FROM ${checked} WHERE reason IS NOT NULL ORDER BY source_file, line_number
) TO ${literal(file)} (FORMAT json)`;
}

export const sqlStringLiteral = literal;

import { type Column, type Source, TABLES, landingTableOf } from '../../tables';
import { landingCheckedName, landingJsonName, quarantineName, versionedName } from './object-names';
import { type Statement, bq, createTableAs, literal, q, qualified } from './statements';

/**
 * Landing on Athena: an external table over `<source>/landing/` read by the
 * OpenX JSON SerDe, then views that check every record against the declared
 * schema, exactly as the DuckDB landing reader does, and keep the accepted
 * ones with the declared types.
 *
 * Every field is declared STRING in the external table on purpose: with a
 * numeric column the SerDe silently turns a bad number into NULL and fails
 * the whole query on an object value, so a wrongly typed field could neither
 * be quarantined nor told apart from a missing one. As text, each field is
 * checked here and cast only when it fits.
 *
 * What Athena cannot know (documented in the README): the SerDe returns a
 * blank line, a malformed line and a non-object line alike as a record with
 * every field NULL, so these share one reason and blank lines count as lines;
 * there is no line number; and a number written as a JSON string ("12") is
 * accepted, because the SerDe hands both over as the same text.
 */

const hiveColumn = (column: Column): string => column.name.toLowerCase();

const INTEGER_TEXT = "'^-?[0-9]+$'";
const UNREADABLE = 'blank, malformed or not a JSON object, or none of the declared fields';

export function createLandingJsonTable(database: string, source: Source, version: string, location: string): Statement {
  const columns = TABLES[landingTableOf(source)].columns;
  const definitions = columns.map((c) => `  ${bq(hiveColumn(c))} STRING`).join(',\n');
  const properties = [
    `'case.insensitive' = 'true'`,
    `'ignore.malformed.json' = 'true'`,
    ...columns.filter((c) => c.name !== hiveColumn(c)).map((c) => `${literal(`mapping.${hiveColumn(c)}`)} = ${literal(c.name)}`),
  ];
  return {
    grammar: 'hive',
    sql: [
      `CREATE EXTERNAL TABLE ${bq(database)}.${bq(landingJsonName(source, version))} (`,
      definitions,
      `)`,
      `ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'`,
      `WITH SERDEPROPERTIES (`,
      `  ${properties.join(',\n  ')}`,
      `)`,
      `STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'`,
      `OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'`,
      `LOCATION ${literal(location)}`,
      `TBLPROPERTIES ('classification' = 'json')`,
    ].join('\n'),
  };
}

/** Why a record is refused, as the DuckDB reader words it; NULL when it fits the schema. */
function reasonCase(columns: readonly Column[]): string {
  const all = columns.map((c) => `${q(hiveColumn(c))} IS NULL`).join(' AND ');
  const rules = columns.flatMap((c) => {
    const field = q(hiveColumn(c));
    const rules: string[] = [];
    if (c.required) rules.push(`WHEN ${field} IS NULL THEN ${literal(`missing required field "${c.name}"`)}`);
    if (c.type === 'BIGINT') {
      rules.push(`WHEN ${field} IS NOT NULL AND NOT regexp_like(${field}, ${INTEGER_TEXT}) THEN ${literal(`field "${c.name}" must be a whole number`)}`);
      rules.push(`WHEN ${field} IS NOT NULL AND try_cast(${field} AS bigint) IS NULL THEN ${literal(`field "${c.name}" is out of range`)}`);
    } else if (c.type === 'DOUBLE') {
      rules.push(`WHEN ${field} IS NOT NULL AND try_cast(${field} AS double) IS NULL THEN ${literal(`field "${c.name}" must be a number`)}`);
    }
    return rules;
  });
  return [`CASE`, `    WHEN ${all} THEN ${literal(UNREADABLE)}`, ...rules.map((r) => `    ${r}`), `  END`].join('\n');
}

export function createCheckedView(database: string, source: Source, version: string): Statement {
  const columns = TABLES[landingTableOf(source)].columns;
  return {
    grammar: 'trino',
    sql: [
      `CREATE VIEW ${qualified(database, landingCheckedName(source, version))} AS`,
      `SELECT`,
      `  "$path" AS "sourceFile",`,
      ...columns.map((c) => `  ${q(hiveColumn(c))} AS ${q(c.name)},`),
      `  ${reasonCase(columns)} AS "reason"`,
      `FROM ${qualified(database, landingJsonName(source, version))}`,
    ].join('\n'),
  };
}

/** The typed landing table of a version: the accepted records only, with the declared types. */
export function createLandingView(database: string, source: Source, version: string): Statement {
  const table = landingTableOf(source);
  const cast = (c: Column): string =>
    c.type === 'VARCHAR' ? q(c.name) : `try_cast(${q(c.name)} AS ${c.type === 'BIGINT' ? 'bigint' : 'double'})`;
  return {
    grammar: 'trino',
    sql: [
      `CREATE VIEW ${qualified(database, versionedName(table, version))} AS`,
      `SELECT`,
      TABLES[table].columns.map((c) => `  ${cast(c)} AS ${q(c.name)}`).join(',\n'),
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

/** The refused records of a source, written as JSON under the version's quarantine prefix. */
export function createQuarantine(database: string, source: Source, version: string, location: string): Statement {
  const columns = TABLES[landingTableOf(source)].columns.map((c) => q(c.name)).join(', ');
  return createTableAs(
    { database, name: quarantineName(source, version), location, format: 'JSON' },
    `SELECT "sourceFile", "reason", ${columns}\nFROM ${qualified(database, landingCheckedName(source, version))}\nWHERE "reason" IS NOT NULL`,
  );
}

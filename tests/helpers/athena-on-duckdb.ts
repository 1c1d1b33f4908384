import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { substituteParameters } from './athena-substitution';
import type { AthenaHandler, AthenaQuery, FakeS3, QueryOutcome } from './fake-aws';

/**
 * A stand-in for Athena that runs the engine's statements on DuckDB, so the
 * logic of an Athena build (landing checks, table bindings, CTAS, checks,
 * live views) is proven on real data without AWS. It emulates only what the
 * engine emits:
 *
 * - ExecutionParameters are pasted into the text, as Athena does;
 * - the few Trino functions the SQL uses are DuckDB macros;
 * - CREATE DATABASE becomes a schema; CTAS drops its WITH (...) properties
 *   and leaves an object under its external_location in the fake S3;
 * - CREATE EXTERNAL TABLE with the OpenX SerDe becomes a view over the local
 *   folder the test maps the LOCATION to, behaving as the SerDe does: every
 *   field is the JSON value's text, a line that is blank, malformed or not an
 *   object is a row of NULLs, and `"$path"` is the file. (Keys are matched
 *   as the mapping spells them, not case-insensitively.)
 * - a SELECT's result is also written to the fake S3 as Athena's CSV result file;
 * - any DuckDB error is a FAILED query with a USER error.
 */
export class AthenaOnDuckDb {
  /** Statements the emulator failed on purpose or by error, for assertions. */
  readonly failures: string[] = [];
  /** Fail a statement (as a USER error) when this returns a reason. */
  failWhen: (sql: string) => string | undefined = () => undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    private readonly s3: FakeS3,
    private readonly folders: Record<string, string>,
  ) {}

  /** `folders` maps an s3:// landing prefix (ending with /) to the local folder holding its files. */
  static async create(s3: FakeS3, folders: Record<string, string>): Promise<AthenaOnDuckDb> {
    // The landing files are also in the fake bucket, where the pre-flight lists them.
    for (const [prefix, folder] of Object.entries(folders)) {
      for (const name of readdirSync(folder)) s3.put(`${prefix}${name}`, readFileSync(join(folder, name)));
    }
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    // Trino functions the engine's SQL uses, in DuckDB terms (from_base only for base 16, as the dialect uses it).
    await connection.run('CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)');
    await connection.run('CREATE MACRO to_utf8(s) AS s');
    await connection.run(`CREATE MACRO from_base(s, b) AS CAST(('0x' || s) AS BIGINT)`);
    // Trino's to_hex of md5's bytes is DuckDB's md5 text, upper-cased.
    await connection.run('CREATE OR REPLACE MACRO to_hex(s) AS upper(s)');
    return new AthenaOnDuckDb(instance, connection, s3, folders);
  }

  readonly handler: AthenaHandler = async (query) => this.answer(query);

  /** Names of the tables and views in a schema, sorted. */
  async objectNames(schema: string): Promise<string[]> {
    const reader = await this.connection.runAndReadAll(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}' ORDER BY table_name`,
    );
    return reader.getRows().map((r) => String(r[0]));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async answer(query: AthenaQuery): Promise<QueryOutcome> {
    const sql = substituteParameters(query.sql, query.parameters);
    const planned = this.failWhen(sql);
    if (planned) return this.fail(sql, planned);
    try {
      const translated = await this.translate(sql);
      const reader = await this.connection.runAndReadAll(translated);
      if (!/^(\s|--[^\n]*\n)*(SELECT|WITH)\b/i.test(sql)) return { statementType: 'DDL' };
      const columns = reader.columnNames().map((name, i) => ({ name: name.toLowerCase(), type: athenaType(String(reader.columnTypes()[i])) }));
      const rows = reader.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
      // Athena also writes every SELECT's result as a CSV file: each value quoted, NULL left empty.
      const csv = [columns.map((c) => c.name), ...rows].map((r) => r.map((v) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`)).join(',')).join('\n');
      this.s3.put(`s3://results-bucket/athena/${query.id}.csv`, `${csv}\n`);
      return { statementType: 'DML', columns, rows };
    } catch (error) {
      return this.fail(sql, (error as Error).message);
    }
  }

  private fail(sql: string, reason: string): QueryOutcome {
    this.failures.push(sql);
    return { error: { category: 2, retryable: false, reason } };
  }

  private async translate(sql: string): Promise<string> {
    const database = /^CREATE DATABASE IF NOT EXISTS `(\w+)`$/.exec(sql);
    if (database) return `CREATE SCHEMA IF NOT EXISTS "${database[1]}"`;
    const drop = /^DROP TABLE IF EXISTS `(\w+)`\.`(\w+)`$/.exec(sql);
    if (drop) {
      const views = await this.connection.runAndReadAll(`SELECT 1 FROM duckdb_views() WHERE schema_name = '${drop[1]}' AND view_name = '${drop[2]}'`);
      return `DROP ${views.getRows().length > 0 ? 'VIEW' : 'TABLE'} IF EXISTS "${drop[1]}"."${drop[2]}"`;
    }
    if (sql.startsWith('CREATE EXTERNAL TABLE')) return this.externalTable(sql);
    const ctas = /^CREATE TABLE ("\w+"\."\w+")\nWITH \((.*)\)\nAS\n([\s\S]*)$/.exec(sql);
    if (ctas) {
      const location = /external_location = '([^']+)'/.exec(ctas[2])![1];
      this.s3.put(`${location}20260101_000000_00000_part-0`, 'data');
      return `CREATE TABLE ${ctas[1]} AS ${ctas[3]}`;
    }
    return sql;
  }

  private externalTable(sql: string): string {
    const [, schema, name] = /^CREATE EXTERNAL TABLE `(\w+)`\.`(\w+)`/.exec(sql)!;
    const columns = [...sql.matchAll(/^ {2}`(\w+)` STRING,?$/gm)].map((m) => m[1]);
    const mappings = new Map([...sql.matchAll(/'mapping\.(\w+)' = '(\w+)'/g)].map((m) => [m[1], m[2]]));
    const location = /LOCATION '([^']+)'/.exec(sql)![1];
    const folder = this.folders[location];
    if (!folder) throw new Error(`no local folder is mapped to ${location}`);
    const fields = columns.map((c) => `CASE WHEN is_object THEN json_extract_string(line, '$."${mappings.get(c) ?? c}"') END AS "${c}"`);
    return `CREATE VIEW "${schema}"."${name}" AS
SELECT filename AS "$path", ${fields.join(', ')}
FROM (
  SELECT filename, line, (starts_with(ltrim(line), '{') AND json_valid(line)) AS is_object
  FROM (SELECT filename, unnest(string_split(rtrim(content, chr(10)), chr(10))) AS line FROM read_text('${folder}/*'))
)`;
  }
}

function athenaType(duckDbType: string): string {
  if (/^(BIGINT|HUGEINT|UBIGINT)$/.test(duckDbType)) return 'bigint';
  if (/^(INTEGER|SMALLINT|TINYINT)$/.test(duckDbType)) return 'integer';
  if (/^(DOUBLE|FLOAT)$/.test(duckDbType)) return 'double';
  if (duckDbType === 'BOOLEAN') return 'boolean';
  if (duckDbType === 'DATE') return 'date';
  if (duckDbType.startsWith('TIMESTAMP')) return 'timestamp';
  if (duckDbType.startsWith('DECIMAL')) return 'decimal';
  return 'varchar';
}

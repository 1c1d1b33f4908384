import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIGINT, DuckDBInstance, type DuckDBConnection, DuckDBScalarFunction, type DuckDBType, VARCHAR } from '@duckdb/node-api';
import { substituteParameters } from './athena-substitution';
import type { AthenaHandler, AthenaQuery, FakeS3, QueryOutcome } from './fake-aws';
import { LandingCheckCache, landingHash } from './landing-check-cache';
import { trinoJson } from './trino-json';

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
 * - CREATE EXTERNAL TABLE with the RegexSerDe `(?s)^(.*)$` becomes a table of
 *   the lines of the files in the local folder the test maps the LOCATION to,
 *   read as Hadoop's text reader does: a line ends at \n, \r\n or a lone \r,
 *   invalid UTF-8 becomes U+FFFD, and `"$path"` is the file;
 * - Trino's JSON functions are JavaScript functions with Trino's (Jackson's)
 *   behaviour, see trino-json.ts; DuckDB's own JSON reader is more lenient;
 * - from_utf8(substr(to_utf8(s), 1, n)), a line's first n bytes, is a JavaScript function;
 * - regexp_replace(s, 'pattern', "g" -> body), Trino's replacement by a lambda, is rewritten with DuckDB's list
 *   functions (lambdaReplacements below), and chr() takes a bigint as Trino's does;
 * - from_utf8(from_hex(h)) is a JavaScript function; sequence(a, b) is generate_series(a, b), regexp_split string_split_regex;
 * - a SELECT's result is also written to the fake S3 as Athena's CSV result file;
 * - any DuckDB error is a FAILED query with a USER error;
 * - a landing check's table made before from the same landing bytes by the same statement is copied (landing-check-cache.ts).
 */
export class AthenaOnDuckDb {
  /** Statements the emulator failed on purpose or by error, for assertions. */
  readonly failures: string[] = [];
  /** Fail a statement (as a USER error) when this returns a reason. */
  failWhen: (sql: string) => string | undefined = () => undefined;
  /** Each landing table's ("schema"."name") hash of the bytes it was read from. */
  private readonly landings = new Map<string, string>();
  /** The landing check table the statement being answered made, to be kept in the cache once it succeeds. */
  private toKeep: { table: string; file: string } | undefined;

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
    // One thread: JavaScript functions called from several DuckDB threads at once are many times slower.
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    // Trino functions the engine's SQL uses, in DuckDB terms (from_base only for base 16, as the dialect uses it).
    await connection.run('CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)');
    await connection.run('CREATE MACRO to_utf8(s) AS s');
    await connection.run(`CREATE MACRO from_base(s, b) AS CAST(('0x' || s) AS BIGINT)`);
    // Trino's to_hex of md5's bytes is DuckDB's md5 text, upper-cased.
    await connection.run('CREATE OR REPLACE MACRO to_hex(s) AS upper(s)');
    await connection.run('CREATE MACRO is_finite(x) AS isfinite(x)');
    await connection.run('CREATE MACRO regexp_count(s, p) AS len(regexp_extract_all(s, p))');
    // Trino's regexp_replace replaces every match; DuckDB's only the first unless told 'g'.
    await connection.run(`CREATE MACRO trino_regexp_replace(s, p, r) AS regexp_replace(s, p, r, 'g')`);
    // Trino's chr takes a bigint; DuckDB's an integer.
    await connection.run('CREATE MACRO trino_chr(n) AS chr(CAST(n AS INTEGER))');
    // json_format of the stand-in's canonical JSON is that text, and CAST(json AS map(varchar, json)) is used only for
    // whether it succeeds: macros, not JavaScript functions, since each call of one copies the whole line in and out.
    await connection.run('CREATE MACRO trino_json_format(json) AS json');
    await connection.run(`CREATE MACRO trino_json_object(json) AS CASE WHEN starts_with(json, '{') THEN json END`);
    registerTrinoJson(connection);
    return new AthenaOnDuckDb(instance, connection, s3, folders);
  }

  // One statement at a time: a JavaScript function called from a query can deadlock with another query on the same connection.
  private queue: Promise<unknown> = Promise.resolve();
  readonly handler: AthenaHandler = (query) => {
    const next = this.queue.then(() => this.answer(query));
    this.queue = next.catch(() => undefined);
    return next;
  };

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
    this.toKeep = undefined;
    const planned = this.failWhen(sql);
    if (planned) return this.fail(sql, planned);
    try {
      const translated = await this.translate(sql);
      const reader = await this.connection.runAndReadAll(translated);
      const keep = this.toKeep as { table: string; file: string } | undefined; // set by translate()
      if (keep) await LandingCheckCache.keep(this.connection, keep.table, keep.file);
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
    // A landing's checked lines, and the uncertain consents read from them, are computed once, not by every statement
    // that reads them (the landing does not change during a test build): DuckDB plans the uncertain consents' long SQL
    // again in every statement naming the view, most of a small build's time.
    const checks = /^CREATE VIEW ("(\w+)"\."(?:\w+_landing_checked|consent_uncertain)__(\w+)") AS\n/.exec(sql);
    if (checks) {
      const [, table, schema, version] = checks;
      const landings = [...this.landings].filter(([name]) => name.startsWith(`"${schema}".`) && name.endsWith(`__${version}"`)).map(([name, hash]) => `${name.replace(`__${version}"`, '"')}=${hash}`);
      const file = LandingCheckCache.fileFor(sql, version, landings);
      const copy = LandingCheckCache.copyFrom(file, table);
      if (copy) return copy;
      this.toKeep = { table, file };
      sql = sql.replace(/^CREATE VIEW/, 'CREATE TABLE');
    }
    if (/^DROP VIEW IF EXISTS "\w+"\."(\w+_landing_checked|consent_uncertain)__\w+"$/.test(sql)) sql = sql.replace(/^DROP VIEW/, 'DROP TABLE');
    sql = lambdaReplacements(sql)
      // cardinality(filter(map_keys(CAST(doc AS map(varchar, json))), "k" -> …)): a list of the keys, filtered by a DuckDB lambda.
      .replace(/cardinality\(filter\(map_keys\(CAST\(("\w+") AS map\(varchar, json\)\)\), ("\w+") -> /g, `len(list_filter(from_json(trino_top_keys($1), '["VARCHAR"]'), lambda $2: `)
      // map_keys(try_cast(doc AS map(varchar, json))): the keys as a list (NULL for no object); a list's cardinality is its len, filtered by a DuckDB lambda.
      .replace(/map_keys\(try_cast\(("\w+") AS map\(varchar, json\)\)\)/g, `from_json(trino_top_keys($1), '["VARCHAR"]')`)
      .replace(/cardinality\(filter\(("\w+"), ("\w+") -> /g, 'len(list_filter($1, lambda $2: ')
      .replace(/cardinality\(("\w+")\)/g, 'len($1)')
      // json_format(CAST(map_filter(CAST(doc AS map(varchar, json)), (k, v) -> NOT contains(ARRAY[…], k)) AS json)): the object without those keys.
      .replace(/json_format\(CAST\(map_filter\(CAST\(("\w+") AS map\(varchar, json\)\), \("\w+", "\w+"\) -> NOT contains\(ARRAY\[([^\]]*)\], "\w+"\)\) AS json\)\)/g, (_all, doc: string, keys: string) =>
        `trino_without_keys(${doc}, '${JSON.stringify([...keys.matchAll(/'([^']*)'/g)].map((k) => k[1]))}')`)
      .replace(/\bchr\(/g, 'trino_chr(')
      // sequence(a, b): DuckDB's generate_series, both ends included (only ever a ≤ b here).
      .replace(/\bsequence\(/g, 'generate_series(')
      // regexp_split(s, p): DuckDB's string_split_regex.
      .replace(/\bregexp_split\(/g, 'string_split_regex(')
      // from_utf8(from_hex(h)): the hex text stands for its bytes, which the JavaScript function decodes.
      .replace(/\bfrom_utf8\(from_hex\(/g, 'trino_utf8_of_hex((')
      // json_array_length(try(json_parse('[' || line || ']'))), how many values a line holds: one JavaScript call, not two
      // (the bracketed parse's canonical text copied out of JavaScript and back in once a line).
      .replace(/json_array_length\(try\(json_parse\('\[' \|\| ("\w+") \|\| '\]'\)\)\)/g, 'trino_values_in($1)')
      .replace(/\b(json_parse|json_format|json_extract_scalar|json_extract|json_size|json_array_length|regexp_replace)\(/g, 'trino_$1(')
      .replace(/try_cast\(("\w+") AS map\(varchar, json\)\)/g, 'trino_json_object($1)')
      .replace(/length\(to_utf8\(("\w+")\)\)/g, 'strlen($1)')
      // normalize(s, NFKC): DuckDB has only NFC, so JavaScript's normalize() stands in (the form is a keyword in Trino, text here).
      .replace(/\bnormalize\(/g, 'trino_normalize(')
      .replace(/, (NFC|NFD|NFKC|NFKD)\)/g, ", '$1')")
      .replace(/from_utf8\(substr\(to_utf8\(("\w+")\), 1, (\d+)\)\)/g, "trino_utf8_prefix($1, '$2')");
    const ctas = /^CREATE TABLE ("\w+"\."\w+")\nWITH \((.*)\)\nAS\n([\s\S]*)$/.exec(sql);
    if (ctas) {
      const location = /external_location = '([^']+)'/.exec(ctas[2])![1];
      this.s3.put(`${location}20260101_000000_00000_part-0`, 'data');
      return `CREATE TABLE ${ctas[1]} AS ${ctas[3]}`;
    }
    return sql;
  }

  private async externalTable(sql: string): Promise<string> {
    const [, schema, name] = /^CREATE EXTERNAL TABLE `(\w+)`\.`(\w+)`/.exec(sql)!;
    if (!sql.includes("'input.regex' = '(?s)^(.*)$'") || !/\(\n {2}`line` STRING\n\)/.test(sql)) throw new Error('the stand-in reads only one-column whole-line tables');
    const location = /LOCATION '([^']+)'/.exec(sql)![1];
    const folder = this.folders[location];
    if (!folder) throw new Error(`no local folder is mapped to ${location}`);
    await this.connection.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"; CREATE TABLE "${schema}"."${name}" ("$path" VARCHAR, "line" VARCHAR)`);
    const appender = await this.connection.createAppender(name, schema);
    const files = readdirSync(folder).sort().map((file) => ({ name: file, bytes: readFileSync(join(folder, file)) }));
    for (const file of files) {
      for (const line of hadoopLines(file.bytes)) {
        appender.appendVarchar(`${location}${file.name}`);
        appender.appendVarchar(line);
        appender.endRow();
      }
    }
    appender.closeSync();
    this.landings.set(`"${schema}"."${name}"`, landingHash(location, files));
    return 'SELECT 1';
  }
}

/**
 * Trino's regexp_replace(s, 'pattern', "g" -> body), which calls the lambda with each match's groups (null when a
 * group took no part), in DuckDB terms: the text between matches (string_split_regex) and each group of each match
 * (regexp_extract_all), joined with the lambda applied to every match's groups. Only a pattern given as a literal
 * whose groups never match empty text (as the engine's are): DuckDB reads such a group as ''. The text, its parts and
 * each group's matches are bound once (a lambda over a one-element list): written out at each use, three nested
 * replacements grew the statement, and its cost, with the product of their uses.
 */
function lambdaReplacements(sql: string): string {
  let bound = 0;
  for (let at = sql.lastIndexOf('regexp_replace('); at >= 0; at = at === 0 ? -1 : sql.lastIndexOf('regexp_replace(', at - 1)) {
    if (at > 0 && /\w/.test(sql[at - 1])) continue;
    const open = at + 'regexp_replace'.length;
    const { args, end } = callArguments(sql, open);
    const lambda = args.length === 3 ? /^\s*("?\w+"?) -> ([\s\S]*)$/.exec(args[2]) : null;
    if (!lambda) continue;
    const [text, pattern] = [args[0].trim(), args[1].trim()];
    const groups = pattern.match(/(?<!\\)\((?!\?)/g)?.length ?? 0;
    bound += 1;
    const [t, parts, i] = [`"t_${bound}"`, `"parts_${bound}"`, `"i_${bound}"`];
    const matches = Array.from({ length: groups }, (_, k) => `"m${k + 1}_${bound}"`);
    const matchGroups = `[${matches.map((m) => `nullif(${m}[${i}], '')`).join(', ')}]`;
    let body = `array_to_string(list_transform(range(1, len(${parts}) + 1), lambda ${i}: ${parts}[${i}] || CASE WHEN ${i} < len(${parts}) THEN list_transform([${matchGroups}], lambda ${lambda[1]}: ${lambda[2]})[1] ELSE '' END), '')`;
    matches.forEach((m, k) => (body = `list_transform([regexp_extract_all(${t}, ${pattern}, ${k + 1})], lambda ${m}: ${body})[1]`));
    const replaced = `list_transform([${text}], lambda ${t}: list_transform([string_split_regex(${t}, ${pattern})], lambda ${parts}: ${body})[1])[1]`;
    sql = sql.slice(0, at) + replaced + sql.slice(end);
  }
  return sql;
}

/** The top-level arguments of the call whose `(` is at `open`, and the index just past its `)`; quoted text is skipped. */
function callArguments(sql: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < sql.length; i += 1) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      i = sql.indexOf(c, i + 1);
      // A doubled quote inside quoted text is one quote: the scan resumes after it.
      while (sql[i + 1] === c) i = sql.indexOf(c, i + 2);
      continue;
    }
    if (c === '(' || c === '[') depth += 1;
    else if (c === ')' || c === ']') {
      depth -= 1;
      if (depth === 0) {
        args.push(sql.slice(start, i));
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  throw new Error('the stand-in found an unclosed call');
}

/** A file's lines as Hadoop's LineReader splits them (\n, \r\n or a lone \r), decoded as Java decodes Text: invalid UTF-8 becomes U+FFFD. */
export function hadoopLines(bytes: Buffer): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i];
    if (b !== 0x0a && b !== 0x0d) continue;
    lines.push(decoder.decode(bytes.subarray(start, i)));
    if (b === 0x0d && bytes[i + 1] === 0x0a) i += 1;
    start = i + 1;
  }
  if (start < bytes.length) lines.push(decoder.decode(bytes.subarray(start)));
  return lines;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function registerTrinoJson(connection: DuckDBConnection): void {
  const register = (name: string, returnType: DuckDBType, arity: number, fn: (...args: string[]) => string | number | null): void => {
    connection.registerScalarFunction(
      DuckDBScalarFunction.create({
        name: `trino_${name}`,
        returnType,
        parameterTypes: Array(arity).fill(VARCHAR),
        mainFunction: (_info, input, output) => {
          const vectors = Array.from({ length: arity }, (_, i) => input.getColumnVector(i));
          const rows = input.rowCount; // a call into DuckDB each time it is read
          for (let row = 0; row < rows; row += 1) {
            const args = vectors.map((v) => v.getItem(row) as string | null);
            output.setItem(row, args.some((a) => a === null) ? null : returnType === BIGINT ? toBigInt(fn(...(args as string[]))) : fn(...(args as string[])));
          }
          output.flush();
        },
      }),
    );
  };
  register('json_parse', VARCHAR, 1, trinoJson.json_parse);
  register('json_extract', VARCHAR, 2, trinoJson.json_extract);
  register('json_extract_scalar', VARCHAR, 2, trinoJson.json_extract_scalar);
  register('json_size', BIGINT, 2, trinoJson.json_size);
  register('json_array_length', BIGINT, 1, trinoJson.json_array_length);
  register('values_in', BIGINT, 1, trinoJson.values_in);
  register('top_keys', VARCHAR, 1, trinoJson.top_keys);
  register('without_keys', VARCHAR, 2, trinoJson.without_keys);
  // from_utf8(substr(to_utf8(s), 1, n)): the first n bytes, a character cut short becoming U+FFFD.
  register('utf8_prefix', VARCHAR, 2, (text, bytes) => Buffer.from(text).subarray(0, Number(bytes)).toString());
  register('normalize', VARCHAR, 2, (text, form) => text.normalize(form));
  // from_utf8(from_hex(h)): invalid UTF-8 becomes U+FFFD, as Trino's from_utf8 makes it.
  register('utf8_of_hex', VARCHAR, 1, (hex) => Buffer.from(hex, 'hex').toString('utf8'));
}

const toBigInt = (value: string | number | null): bigint | null => (value === null ? null : BigInt(value));

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

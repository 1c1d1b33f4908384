import { StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueClient } from '@aws-sdk/client-glue';
import { planAthenaBuild } from '../../../../etl/engine/athena/dry-run';
import { formatStatements } from '../../../../etl/engine/athena/plan-text';
import { LIVE_VIEWS, versionObjects, versionedName } from '../../../../etl/engine/athena/object-names';
import { sqlLiteral } from '../../../../etl/engine/athena/parameters';
import { type Statement, bindTables, dropTable, dropView, switchLiveView } from '../../../../etl/engine/athena/statements';
import { checksFor } from '../../../../etl/checks';
import { BUILT_TABLES, TABLES } from '../../../../etl/tables';
import { zoneSql } from '../../../../etl/zone-sql';
import { substituteParameters } from '../../../helpers/athena-substitution';
import { runCli } from '../../../helpers/run-cli';
import { sqlParseErrors } from '../../../helpers/sql-grammar';

const LAKE = 's3://example-bucket/stedi';
const VERSION = '20260101t000000000z_abcd';

/** Every statement kind the engine can emit beyond a first build's: expiry, cleanup and restoring the live views. */
function maintenanceStatements(): Statement[] {
  return [
    ...versionObjects(VERSION, BUILT_TABLES).map((o) => (o.kind === 'view' ? dropView('stedi', o.name) : dropTable('stedi', o.name))),
    ...LIVE_VIEWS.flatMap((t) => [switchLiveView('stedi', t, versionedName(t, VERSION)), dropView('stedi', t)]),
  ];
}

describe('the statements of an Athena build', () => {
  let plans: { any: Statement[]; asOf: Statement[] };
  beforeAll(async () => {
    plans = {
      any: await planAthenaBuild({ lake: LAKE }, { consentPolicy: 'any' }),
      asOf: await planAthenaBuild({ lake: LAKE, database: 'stedi_prod' }, { consentPolicy: 'as-of' }),
    };
  });

  it('all parse with dt-sql-parser: Hive grammar for the DDL, Trino for queries, views and CTAS', () => {
    const all = [...plans.any, ...plans.asOf, ...maintenanceStatements()];
    // As written (with ? placeholders) and as Athena runs them (parameters substituted).
    const substituted = all.filter((s) => s.params).map((s) => ({ ...s, sql: substituteParameters(s.sql, s.params!.map(sqlLiteral)) }));
    const checked = [...all, ...substituted];
    expect(checked.filter((s) => s.grammar === 'hive').length).toBeGreaterThan(8);
    // The parser does refuse what Athena would refuse: backquotes in Trino, a property without a value.
    const ddl = checked.find((s) => s.sql.startsWith('CREATE EXTERNAL TABLE'))!.sql;
    const mustRefuse = [
      { sql: ddl, grammar: 'trino' as const },
      { sql: "CREATE TABLE \"a\" WITH (format = ) AS SELECT 1", grammar: 'trino' as const },
    ];
    // One parser process for both lists: each loads the grammars anew, about a second.
    const parsed = sqlParseErrors([...checked, ...mustRefuse]);
    const errors = parsed.slice(0, checked.length);
    const failures = checked.map((s, i) => ({ sql: s.sql, errors: errors[i] })).filter((f) => f.errors.length > 0);
    expect(failures).toEqual([]);
    const refused = parsed.slice(checked.length);
    expect(refused.map((e) => e.length > 0)).toEqual([true, true]);
  });

  it('reuse every zone SELECT byte for byte, with the consent policy as an ExecutionParameter', () => {
    for (const table of BUILT_TABLES) {
      const zone = zoneSql({ ...TABLES[table], name: table });
      const ctas = plans.asOf.find((s) => s.sql.startsWith(`CREATE TABLE "stedi_prod"."${table}__`))!;
      expect(ctas.sql).toContain(`SELECT * FROM (\n${zone.text}\n) AS "zone"`);
      expect(ctas.params ?? []).toEqual(Array(zone.parameterCount).fill('as-of'));
      expect(ctas.sql).toMatch(/WITH \(format = 'PARQUET', write_compression = 'ZSTD', external_location = 's3:\/\/example-bucket\/stedi\/[a-z_]+\/(trusted|curated)\/v=[0-9a-z_]+\/'\)/);
    }
  });

  it('bind only the tables a SELECT reads, each to this build’s version', () => {
    const ctas = plans.any.find((s) => s.sql.includes('"machine_learning_curated__'))!.sql;
    const bound = [...ctas.matchAll(/^ {2}"([a-z_]+)" AS \(SELECT \* FROM "stedi"\."([a-z_]+)__([0-9a-z_]+)"\)/gm)].map((m) => [m[1], m[2]]);
    expect(bound).toEqual([
      ['step_trainer_trusted', 'step_trainer_trusted'],
      ['accelerometer_trusted', 'accelerometer_trusted'],
      ['customer_curated', 'customer_curated'],
    ]);
    expect(bindTables('SELECT 1', new Map())).toBe('SELECT * FROM (\nSELECT 1\n) AS "zone"');
  });

  it('read each landing line whole, as one string, and check it with the strict rules under try', () => {
    const ddl = plans.any.filter((s) => s.sql.startsWith('CREATE EXTERNAL TABLE')).map((s) => s.sql);
    expect(ddl).toHaveLength(3);
    for (const text of ddl) {
      expect(text).toContain("ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'");
      expect(text).toContain("WITH SERDEPROPERTIES ('input.regex' = '(?s)^(.*)$')");
      expect(text).toMatch(/\(\n {2}`line` STRING\n\)/);
      expect(text).not.toMatch(/JsonSerDe|FIELDS TERMINATED/);
    }
    expect(ddl[1]).toContain(`LOCATION '${LAKE}/accelerometer/landing/'`);
    const checked = plans.any.find((s) => s.sql.startsWith('CREATE VIEW "stedi"."customer_landing_checked__'))!.sql;
    expect(checked).toContain('try(json_parse("line")) AS "doc"');
    expect(checked).toContain(`WHEN length(to_utf8("line")) > 1048576 THEN 'line longer than 1048576 bytes'`);
    expect(checked).toContain('json_extract_scalar("line", \'$.shareWithResearchAsOfDate\')');
    const quarantine = plans.any.find((s) => s.sql.startsWith('CREATE TABLE "stedi"."customer_quarantine__'))!.sql;
    expect(quarantine).toContain('SELECT "sourceFile", "reason", "line"');
  });

  it("read a landing line's parse and top-level keys once, in columns every declared field's rules read", () => {
    for (const source of ['customer', 'accelerometer', 'step_trainer'] as const) {
      const checked = plans.any.find((s) => s.sql.startsWith(`CREATE VIEW "stedi"."${source}_landing_checked__`))!.sql;
      const count = (text: string): number => checked.split(text).length - 1;
      expect({ source, parses: count('json_parse("line")'), keys: count('map_keys(') }).toEqual({ source, parses: 1, keys: 1 });
      // Each field's respelled-key rule filters the "keys" column (Trino computes a column read more than once once a row).
      expect({ source, reads: count('filter("keys", ') }).toEqual({ source, reads: TABLES[`${source}_landing`].columns.length });
    }
  });

  it('fold each accepted email for the consent view with Trino functions dt-sql-parser accepts: invisibles dropped, NFKC, lower()', () => {
    const view = plans.any.find((s) => s.sql.startsWith('CREATE VIEW "stedi"."consent_uncertain__'))!;
    const fold = /lower\(regexp_replace\(normalize\(regexp_replace\("email", '(\[[^']+\])', ''\), NFKC\), '(\[[^']+\])', ''\)\) AS "spelling"/.exec(view.sql);
    expect(fold).not.toBeNull();
    // One class, each code point as \x{…} (Trino's form beyond the BMP): NUL, tab, U+00AD, U+200B, U+FEFF, the tag characters and the other default ignorable code points among them.
    expect(fold![1]).toBe(fold![2]);
    for (const c of ['\\x{0}-\\x{20}', '\\x{AD}', '\\x{2000}-\\x{200F}', '\\x{FEFF}', '\\x{E0000}-\\x{E0FFF}']) expect(fold![1]).toContain(c);
    expect(fold![1]).not.toMatch(/\\u|\\p/);
    // The parser checks the normal form: a misspelt one is refused. In the fold itself, not the whole view: the parser's
    // recovery from an error in the view's thousands of tokens took 20 s on a loaded 2-core host.
    const folding = (form: string) => ({ sql: `SELECT ${fold![0].replace('NFKC', form)} FROM "customer"`, grammar: 'trino' as const });
    const [asWritten, foldWritten, misspelt] = sqlParseErrors([view, folding('NFKC'), folding('NFKX')]);
    expect([asWritten, foldWritten]).toEqual([[], []]);
    expect(misspelt.length).toBeGreaterThan(0);
  });

  it('switch the live views only after every table is built and every check has run', () => {
    const kinds = plans.any.map((s) => (s.sql.startsWith('CREATE OR REPLACE VIEW') ? 'switch' : s.sql.startsWith('CREATE TABLE') ? 'ctas' : 'other'));
    const firstSwitch = kinds.indexOf('switch');
    expect(kinds.slice(firstSwitch)).toEqual(Array(LIVE_VIEWS.length).fill('switch'));
    expect(plans.any[firstSwitch - 1].sql).toMatch(/AS "check"$/);
    expect(plans.any[0].sql).toBe('CREATE DATABASE IF NOT EXISTS `stedi`');
  });
});

describe('stedi build --dry-run', () => {
  const previous = process.env.STEDI_ENGINE;
  afterEach(() => {
    if (previous === undefined) delete process.env.STEDI_ENGINE;
    else process.env.STEDI_ENGINE = previous;
  });

  it('prints the pre-flight calls and every statement of an Athena build as one JSON object, calling no AWS service', async () => {
    const athena = mockClient(AthenaClient);
    const s3 = mockClient(S3Client);
    const glue = mockClient(GlueClient);
    process.env.STEDI_ENGINE = 'athena';
    try {
      const run = await runCli('build', '--dry-run', '--json', '--lake', `${LAKE}`);
      expect(run.exitCode).toBe(0);
      const plan = JSON.parse(run.stdout) as { preflight: { service: string; action: string; resource: string; checks: string }[]; statements: unknown };
      expect(plan.preflight.map((c) => `${c.service} ${c.action} ${c.resource}`)).toEqual([
        'athena GetWorkGroup primary',
        'glue GetTables stedi',
        `s3 ListObjectsV2 ${LAKE}/customer/landing/`,
        `s3 ListObjectsV2 ${LAKE}/accelerometer/landing/`,
        `s3 ListObjectsV2 ${LAKE}/step_trainer/landing/`,
        `s3 PutObject (If-None-Match: *) ${LAKE}/_stedi/build.lock`,
        `s3 DeleteObject (If-Match: an ETag no object has) ${LAKE}/_stedi/build.lock.if-match-check`,
      ]);
      const statements = plan.statements;
      expect(Array.isArray(statements) && statements.every((s) => typeof s === 'string')).toBe(true);
      const list = statements as string[];
      expect(list).toHaveLength(1 + 3 * 6 + 2 /* consent_uncertain and its count */ + 2 * BUILT_TABLES.length + checksFor('any').length + 1 /* ambiguous serials */ + LIVE_VIEWS.length);
      expect([...athena.calls(), ...s3.calls(), ...glue.calls()]).toHaveLength(0);
      expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
      const errors = sqlParseErrors(list.map((sql) => ({ sql, grammar: /^(CREATE (DATABASE|EXTERNAL TABLE)|DROP TABLE)/.test(sql) ? 'hive' : 'trino' })));
      expect(errors.filter((e) => e.length > 0)).toEqual([]);
    } finally {
      athena.restore();
      s3.restore();
      glue.restore();
    }
  });

  it('prints one statement per block without --json, with the parameters Athena receives', async () => {
    const run = await runCli('build', '--dry-run', '--engine', 'athena', '--lake', LAKE, '--consent-policy', 'as-of');
    expect(run.exitCode).toBe(0);
    const [calls, ...blocks] = run.stdout.trim().split(/\n\n/);
    expect(calls.split('\n')).toHaveLength(7);
    expect(calls).toMatch(/^-- pre-flight: athena GetWorkGroup primary: /);
    expect(blocks[0]).toBe('CREATE DATABASE IF NOT EXISTS `stedi`;');
    expect(run.stdout).toContain(`-- ExecutionParameters: ["'as-of'"]\nCREATE TABLE "stedi"."accelerometer_trusted__`);
    expect(formatStatements([{ sql: 'SELECT 1', grammar: 'trino' }])).toBe('SELECT 1;\n');
  });

  it('explains that a dry run needs the Athena engine, as a usage error (exit 2)', async () => {
    const run = await runCli('build', '--dry-run', '--lake', '/tmp/some-lake');
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe('stedi: --dry-run lists the statements of an Athena build; use it with --engine athena (or STEDI_ENGINE=athena)');
  });
});

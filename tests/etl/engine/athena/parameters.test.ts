import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { ParameterError, executionParameters, sqlInteger, sqlLiteral } from '../../../../etl/engine/athena/parameters';
import { substituteParameters } from '../../../helpers/athena-substitution';
import { fakeAws } from '../../../helpers/fake-aws';
import { sqlParseErrors } from '../../../helpers/sql-grammar';
import { tokenize } from '../../../../etl/engine/athena/sql-text';

const HOSTILE = [
  "' OR 1=1 --",
  "'; DROP TABLE customer_trusted; --",
  "'' OR ''='",
  "\\' OR 1=1 --",
  "x' UNION SELECT email FROM customer_trusted WHERE 'a'='a",
  "line one\n' OR 1=1 --\nline three",
  "what? ' OR '?'='?",
  "’ OR 1=1 -- (a typographic quote)",
];

describe('Athena execution parameters', () => {
  it('quotes strings with embedded quotes doubled, and writes numbers, booleans and null as literals', () => {
    expect(sqlLiteral('any')).toBe("'any'");
    expect(sqlLiteral("O'Brien")).toBe("'O''Brien'");
    expect(sqlLiteral("' OR 1=1 --")).toBe("''' OR 1=1 --'");
    expect(sqlLiteral(1_655_564_444_000)).toBe('1655564444000');
    expect(sqlLiteral(-0.5)).toBe('-5e-1');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(null)).toBe('NULL');
  });

  it('refuses numbers that are not finite, as the caller’s error, and writes a whole double past 2^53 as the DOUBLE it is', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => sqlLiteral(bad)).toThrow(ParameterError);
    }
    // An x, y or z of 1e16 or 1.7e308 ends a page's cursor: a Trino DOUBLE literal, read back as the same double.
    for (const wide of [2 ** 60, 1e16, -Number.MAX_VALUE]) {
      expect(sqlLiteral(wide)).toMatch(/e\+/);
      expect(Number(sqlLiteral(wide))).toBe(wide);
    }
    expect(() => sqlLiteral({} as never)).toThrow('a query parameter must be a string, number, boolean or null; received object');
    expect(new ParameterError('x').code).toBe('BAD_USER_INPUT');
  });

  it('refuses a string whose literal is longer than Athena takes as an ExecutionParameter (1,024 characters), as the caller’s error', () => {
    expect(sqlLiteral('a'.repeat(1022))).toHaveLength(1024);
    expect(() => sqlLiteral('a'.repeat(1023))).toThrow('a text query parameter may be at most 1024 characters on Athena, quotes included');
    // Doubled quotes count: 512 quotes are a literal of 1,026 characters.
    expect(() => sqlLiteral("'".repeat(512))).toThrow(ParameterError);
    expect(sqlLiteral("'".repeat(511))).toHaveLength(1024);
  });

  it('accepts placeholders only in WHERE clauses, and as many parameters as placeholders', () => {
    expect(executionParameters('SELECT * FROM t WHERE a = ? AND b IN (?, ?) AND c IN (SELECT c FROM u WHERE d = ?)', ['x', 1, 2, 'y'])).toEqual(["'x'", '1', '2', "'y'"]);
    expect(executionParameters("SELECT '?' AS q, \"?\" FROM t -- ?", [])).toBeUndefined();
    expect(() => executionParameters('SELECT * FROM t LIMIT ?', [10])).toThrow('Athena accepts ? parameters only in a WHERE clause; parameter 1 is in a LIMIT clause');
    expect(() => executionParameters('SELECT ?, a FROM t', ['x'])).toThrow('parameter 1 is in a SELECT clause');
    expect(() => executionParameters('SELECT * FROM t JOIN u ON t.a = ? WHERE b = ?', ['x', 'y'])).toThrow('parameter 1 is in a ON clause');
    expect(() => executionParameters('SELECT * FROM t WHERE a = ?', [])).toThrow('the statement has 1 ? placeholders but 0 parameters were given');
    expect(sqlInteger(100, 'first')).toBe('100');
    expect(() => sqlInteger('100 OR 1=1', 'first')).toThrow(ParameterError);
    expect(() => sqlInteger(1.5, 'first')).toThrow('first must be a whole number from 0 to');
  });

  it("sends ' OR 1=1 -- and other hostile strings to Athena as inert literals", async () => {
    const aws = fakeAws(() => ({ columns: [{ name: 'email', type: 'varchar' }], rows: [] }));
    const engine = new AthenaEngine({ lake: 's3://example-bucket/stedi' }, aws.clients);
    const sql = 'SELECT "email" FROM "stedi"."customer_trusted__v" WHERE "email" = ?';
    for (const input of HOSTILE) await engine.query(sql, [input]);
    const sent = aws.athena.queries.map((q) => q.parameters);
    expect(sent[0]).toEqual(["''' OR 1=1 --'"]);

    // What Athena runs after substituting the parameter text: one comparison with one string literal.
    const substituted = aws.athena.queries.map((q) => substituteParameters(q.sql, q.parameters));
    expect(sqlParseErrors(substituted.map((s) => ({ sql: s, grammar: 'trino' })))).toEqual(HOSTILE.map(() => []));

    // Run the substituted statements: each finds nobody, where pasting the raw text would have matched everyone.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run('CREATE SCHEMA stedi');
    await connection.run(`CREATE TABLE stedi.customer_trusted__v AS SELECT * FROM (VALUES ('a@example.com'), ('b@example.com')) AS t("email")`);
    for (const statement of substituted) expect((await connection.runAndReadAll(statement)).getRows()).toEqual([]);
    const pasted = sql.replace('?', `'${HOSTILE[0]}'`);
    expect((await connection.runAndReadAll(pasted)).getRows()).toHaveLength(2);
    // The literal keeps the exact value: a row holding the hostile text is found.
    await connection.run(`INSERT INTO stedi.customer_trusted__v VALUES (${sqlLiteral(HOSTILE[0])})`);
    expect((await connection.runAndReadAll(substituted[0])).getRows()).toEqual([[HOSTILE[0]]]);
    connection.closeSync();
    instance.closeSync();
  });
});

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

// Text made of the pieces that end or bend a literal elsewhere (quotes, backslashes, comments, `?`, line ends), and any code point.
const hostileText = fc
  .array(fc.oneof(fc.constantFrom("'", "''", '\\', "\\'", '?', '--', '/*', '*/', '\n', '\r', '"', '`', ';', '$$', 'é', '😀', '\u2028', "U&'"), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 24 })
  .map((parts) => parts.join(''));
// Numbers that look like other things, and the edges of the ranges sqlLiteral accepts.
const number = fc.oneof(
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n) || Number.isSafeInteger(n)),
  fc.constantFrom(0.1, -0.5, 5e-324, -5e-324, 1e-300, 123456789012.5, 2 ** 53 - 1, -(2 ** 53 - 1), 1.5e-300),
);
const sqlValue = fc.oneof(hostileText, number, fc.boolean(), fc.constant(null));

describe(`Athena execution parameters under generated values (seed ${SEED})`, () => {
  it('renders every value as one literal Trino parses, which reads back as the same value', async () => {
    const values = fc.sample(sqlValue, { seed: SEED, numRuns: 400 });
    const sql = 'SELECT "v" FROM "stedi"."t" WHERE "v" = ?';
    const statements = values.map((v) => substituteParameters(sql, executionParameters(sql, [v])));
    const where = `(seed ${SEED}: rerun with STEDI_PROPERTY_SEED=${SEED})`;
    const errors = sqlParseErrors(statements.map((s) => ({ sql: s, grammar: 'trino' })));
    expect({ where, unparsed: statements.filter((_, i) => errors[i].length > 0) }).toEqual({ where, unparsed: [] });

    // The literal is one token (a number may carry its sign): nothing of the value is left over as SQL.
    const base = tokenize(sql).length - 1;
    const extra = statements.filter((s, i) => tokenize(s).length - base !== (typeof values[i] === 'number' && (values[i] as number) < 0 ? 2 : 1));
    expect({ where, extra }).toEqual({ where, extra: [] });

    // DuckDB reads standard string literals as Trino does (no backslash escapes); its parser stops at NUL, so those are only parsed above.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const differ: unknown[] = [];
    try {
      for (const v of values) {
        if (typeof v === 'string' && v.includes('\u0000')) continue;
        const got = (await connection.runAndReadAll(`SELECT ${sqlLiteral(v)}`)).getRows()[0][0];
        const read = typeof got === 'bigint' ? Number(got) : got;
        // -0 is written 0: equal in every comparison a WHERE makes.
        if (!Object.is(read, v) && !(v === 0 && read === 0)) differ.push({ value: v, literal: sqlLiteral(v), read });
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    expect({ where, differ }).toEqual({ where, differ: [] });
  });
});

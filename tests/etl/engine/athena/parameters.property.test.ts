import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { ParameterError, sqlLiteral } from '../../../../etl/engine/athena/parameters';
import { substituteParameters } from '../../../helpers/athena-substitution';
import { sqlParseErrors } from '../../../helpers/sql-grammar';

/**
 * Athena pastes each ExecutionParameter into the statement as SQL text, so a
 * literal must hold exactly its value whatever the value is: quotes,
 * backslashes, `?`, comment marks, line ends, any Unicode. Generated strings
 * are pasted as Athena pastes them, parsed with the Trino grammar, and run on
 * DuckDB (whose string literals, like Trino's, know only the doubled quote).
 * A string no UTF-8 text can hold (an unpaired surrogate) is refused: the
 * request would otherwise reach Trino as some other character, compared instead.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SQL = 'SELECT "v" FROM "stedi"."t" WHERE "v" = ?';

// Characters SQL gives meaning to, mixed with any well-formed Unicode (astral characters included).
const tricky = fc.constantFrom("'", "''", '\\', '"', '`', '?', '--', '/*', '*/', ';', '\n', '\r', '\t', '\u0000', '’', '\u2028', '😀', 'ü');
const text = fc.array(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 40 }).map((parts) => parts.join('')).filter((v) => v.length <= 400); // well within the 1,024-character literal
// Any UTF-16 code unit, lone surrogates included (a JSON body may carry "\ud800").
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 12 });

describe(`Athena parameter literals under generated strings (seed ${SEED})`, () => {
  it('pastes every well-formed string as one literal that parses as Trino and equals exactly that string', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run('CREATE SCHEMA stedi; CREATE TABLE stedi.t ("v" VARCHAR)');
    const values = fc.sample(text, { seed: SEED, numRuns: 300 });
    const statements = values.map((v) => substituteParameters(SQL, [sqlLiteral(v)]));
    expect(sqlParseErrors(statements.map((sql) => ({ sql, grammar: 'trino' })))).toEqual(values.map(() => []));
    for (const [i, value] of values.entries()) {
      // DuckDB's C API reads a statement's text up to its first NUL: such values are checked by the parse above only.
      if (value.includes('\u0000')) continue;
      await connection.run('DELETE FROM stedi.t');
      // The row holding the value and a decoy: the literal matches the one, never both.
      const appender = await connection.createAppender('t', 'stedi');
      appender.appendVarchar(value);
      appender.endRow();
      appender.appendVarchar(`${value}x`);
      appender.endRow();
      appender.closeSync();
      const rows = (await connection.runAndReadAll(statements[i])).getRows();
      expect({ seed: SEED, value, rows }).toEqual({ seed: SEED, value, rows: [[value]] });
    }
    connection.closeSync();
    instance.closeSync();
  });

  it('refuses a string holding an unpaired surrogate, which no UTF-8 text can equal, as the caller’s error', () => {
    fc.assert(
      // Well-formed exactly when UTF-8 round-trips it (an unpaired surrogate becomes U+FFFD).
      fc.property(codeUnits, (value) => {
        if (Buffer.from(value, 'utf8').toString('utf8') === value) return sqlLiteral(value) === `'${value.replace(/'/g, "''")}'`;
        try {
          sqlLiteral(value);
          return false;
        } catch (error) {
          return error instanceof ParameterError && /unpaired surrogate/.test(error.message) && !error.message.includes(value);
        }
      }),
      { seed: SEED, numRuns: 2_000 },
    );
    expect(() => sqlLiteral('s-\ud800')).toThrow('a text query parameter must be valid Unicode; it holds an unpaired surrogate (U+D800)');
  });
});

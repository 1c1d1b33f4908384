import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Parses SQL with dt-sql-parser (Trino or Hive grammar). Its ESM build cannot
 * be loaded by Jest or plain Node as is, so it runs in a child Node process
 * with small resolver hooks (tests/helpers/dt-sql-parser/).
 */

export type Grammar = 'trino' | 'hive';

export interface ParseError {
  message: string;
  line?: number;
  column?: number;
}

const SCRIPT = resolve(__dirname, 'dt-sql-parser', 'validate.mjs');

// A build's statements are parsed by several tests and suites, seconds each: a statement that parsed is remembered
// for the rest of the jest run, its version ids (any build's: same length, an identifier's letters) written as one.
const PARSED = join(tmpdir(), 'stedi-sql-parsed');
const VERSION = /\d{8}t\d{9}z_[0-9a-f]{4}/g;
const parsedFile = ({ sql, grammar }: { sql: string; grammar: Grammar }): string =>
  join(PARSED, createHash('sha256').update(`${grammar}\0${sql.replace(VERSION, '00000000t000000000z_0000')}`).digest('hex'));

/** For each statement, the parser's errors; an empty list means it parses. */
export function sqlParseErrors(statements: readonly { sql: string; grammar: Grammar }[]): ParseError[][] {
  const results: ParseError[][] = statements.map(() => []);
  const unknown = statements.map((s, i) => ({ s, i })).filter(({ s }) => !existsSync(parsedFile(s)));
  if (unknown.length === 0) return results;
  const output = execFileSync(process.execPath, [SCRIPT], {
    input: JSON.stringify(unknown.map(({ s: { sql, grammar } }) => ({ sql, grammar }))),
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  mkdirSync(PARSED, { recursive: true });
  (JSON.parse(output) as ParseError[][]).forEach((errors, k) => {
    const { s, i } = unknown[k];
    results[i] = errors;
    if (errors.length > 0) return; // refusals are parsed again: only a clean parse is the same for any version id
    const file = parsedFile(s);
    writeFileSync(`${file}.${process.pid}.partial`, '');
    renameSync(`${file}.${process.pid}.partial`, file);
  });
  return results;
}

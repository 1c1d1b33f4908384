import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

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

/** For each statement, the parser's errors; an empty list means it parses. */
export function sqlParseErrors(statements: readonly { sql: string; grammar: Grammar }[]): ParseError[][] {
  const output = execFileSync(process.execPath, [SCRIPT], {
    input: JSON.stringify(statements.map(({ sql, grammar }) => ({ sql, grammar }))),
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(output) as ParseError[][];
}

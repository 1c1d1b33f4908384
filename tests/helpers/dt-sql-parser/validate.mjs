// Reads [{ sql, grammar: 'trino' | 'hive' }] as JSON on stdin and writes, for
// each statement, the list of dt-sql-parser errors (empty when it parses).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
const { TrinoSQL, HiveSQL } = await import('dt-sql-parser');
const parsers = { trino: new TrinoSQL(), hive: new HiveSQL() };

let input = '';
for await (const chunk of process.stdin) input += chunk;
const statements = JSON.parse(input);
const results = statements.map(({ sql, grammar }) => {
  const parser = parsers[grammar];
  if (!parser) return [{ message: `unknown grammar ${grammar}` }];
  return parser.validate(sql).map((e) => ({ message: e.message, line: e.startLine, column: e.startColumn }));
});
process.stdout.write(JSON.stringify(results));

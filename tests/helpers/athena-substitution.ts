import { tokenize } from '../../etl/engine/athena/sql-text';

/**
 * What Athena does with ExecutionParameters: each `?` placeholder of the
 * statement is replaced by the text of the next parameter, in order. Tests
 * use it to see the statement Athena would actually run.
 */
export function substituteParameters(sql: string, parameters: readonly string[] = []): string {
  const marks = tokenize(sql).filter((t) => t.kind === 'symbol' && t.value === '?');
  if (marks.length !== parameters.length) throw new Error(`${marks.length} placeholders but ${parameters.length} ExecutionParameters`);
  let out = '';
  let from = 0;
  marks.forEach((mark, i) => {
    out += sql.slice(from, mark.start) + parameters[i];
    from = mark.start + 1;
  });
  return out + sql.slice(from);
}

import { terminalText } from '../../terminal-text';

/**
 * Athena's reason for a failed query as errors and logs show it. Athena quotes the value a query failed on
 * ("Cannot cast 'ann@example.com' to bigint", `For input string: "…"`), unescaped and sometimes cut short: landing
 * content, which no error or log may echo. So the reason ends at the first quoted value. A quoted name after
 * Column, Table, Schema… is not a value and stays: it tells the operator what is missing.
 */

// Private: a quote opens only where no letter or digit comes before it ("doesn't" is not a quote).
const OPENING = /(?<![\p{L}\p{N}])['"]/gu;
// Private: Trino's words for the object it names next: "Table 'a.b.c' does not exist", "Column 'x' cannot be resolved".
const NAMED_OBJECT = /\b(?:catalog|schema|database|table|view|column|function|type)\s+$/i;
const NAME = /(['"])[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*\1/uy;
const LIMIT = 300;

export function shownReason(reason: string): string {
  let shown = reason;
  OPENING.lastIndex = 0;
  for (let opening = OPENING.exec(reason); opening; opening = OPENING.exec(reason)) {
    const at = opening.index;
    NAME.lastIndex = at;
    if (NAMED_OBJECT.test(reason.slice(Math.max(0, at - 20), at)) && NAME.test(reason)) {
      OPENING.lastIndex = NAME.lastIndex;
      continue;
    }
    shown = `${reason.slice(0, at)}${reason[at]}…`;
    break;
  }
  const line = terminalText(shown.replace(/\s+/g, ' ').trim());
  return line.length > LIMIT ? `${line.slice(0, LIMIT)}…` : line;
}

/**
 * A small SQL tokenizer: just enough to find the `?` placeholders and the
 * table names a statement uses, never fooled by strings, quoted identifiers
 * or comments. It checks statements built from the catalogue and the API's
 * templates; it is not a parser.
 */

export interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'symbol';
  /** A word lower-cased, a quoted identifier unquoted, otherwise the text itself. */
  value: string;
  start: number;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i += 1;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new SyntaxError('the SQL has an unterminated /* comment');
      i = end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = closingQuote(sql, i);
      const inner = sql.slice(i + 1, end).split(c + c).join(c);
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', value: c === "'" ? inner : inner.toLowerCase(), start: i });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'word', value: word.toLowerCase(), start: i });
      i += word.length;
    } else if (/[0-9]/.test(c)) {
      const number = /^[0-9][0-9.eE+-]*/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'number', value: number, start: i });
      i += number.length;
    } else {
      tokens.push({ kind: 'symbol', value: c, start: i });
      i += 1;
    }
  }
  return tokens;
}

function closingQuote(sql: string, open: number): number {
  const quote = sql[open];
  let i = open + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i;
    } else i += 1;
  }
  throw new SyntaxError(`the SQL has an unterminated ${quote} quote`);
}

// Private: words that open a clause; a `?` belongs to the last one opened at its nesting depth.
const CLAUSES = new Set([
  'select', 'from', 'where', 'group', 'having', 'order', 'limit', 'offset', 'fetch', 'on', 'join', 'using',
  'window', 'values', 'with', 'partition', 'union', 'intersect', 'except',
]);

/** For each `?` in order, the clause it sits in (`where`, `select`, `limit`, ...), lower-cased. */
export function placeholderClauses(sql: string): string[] {
  const stack: (string | undefined)[] = [undefined];
  const found: string[] = [];
  for (const token of tokenize(sql)) {
    if (token.kind === 'symbol' && token.value === '(') stack.push(undefined);
    else if (token.kind === 'symbol' && token.value === ')') {
      if (stack.length > 1) stack.pop();
    } else if (token.kind === 'word' && CLAUSES.has(token.value)) stack[stack.length - 1] = token.value;
    else if (token.kind === 'symbol' && token.value === '?') {
      // Inside parentheses that opened no clause of their own (`IN (?, ?)`), the enclosing clause counts.
      found.push([...stack].reverse().find((clause) => clause !== undefined) ?? 'statement');
    }
  }
  return found;
}

/**
 * The unqualified table names of `candidates` that `sql` reads, in first-use
 * order. A name after a `.` is qualified (some other schema's) and ignored.
 */
export function referencedNames<T extends string>(sql: string, candidates: readonly T[]): T[] {
  const wanted = new Set<string>(candidates);
  const seen: T[] = [];
  const tokens = tokenize(sql);
  tokens.forEach((token, i) => {
    const qualified = i > 0 && tokens[i - 1].kind === 'symbol' && tokens[i - 1].value === '.';
    if ((token.kind === 'word' || token.kind === 'quoted') && !qualified && wanted.has(token.value) && !seen.includes(token.value as T)) {
      seen.push(token.value as T);
    }
  });
  return seen;
}

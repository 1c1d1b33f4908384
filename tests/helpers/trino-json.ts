/**
 * Trino's JSON functions as the Athena stand-in runs them, emulating what
 * Trino (Jackson underneath) does with each input, leniencies included, so
 * the landing SQL is proven against them rather than against DuckDB's own
 * (more lenient) JSON reader:
 *
 * - json_parse reads the first JSON value strictly (no NaN, comments, single
 *   quotes, leading zeros, raw control characters in strings; depth and
 *   number length limited as in Jackson), skips a leading BOM, keeps the
 *   last of duplicate keys, and ignores what follows the value when it could
 *   start another value (Jackson reads only one token past the value);
 *   its result is canonical text: sorted keys, a non-finite double as the
 *   string "Infinity".
 * - json_extract_scalar / json_size read raw text as a stream and stop after
 *   the first value: the first of duplicate keys, the original spelling of a
 *   number, whatever follows the value unread, NULL on a bad value.
 *
 * Every function returns NULL where Trino would raise an error: the landing
 * SQL calls the raising ones only under try().
 */

type Value =
  | { kind: 'object'; entries: [string, Value][] }
  | { kind: 'array'; items: Value[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string }
  | { kind: 'literal'; raw: 'true' | 'false' | 'null' };

const MAX_DEPTH = 1_000;
const MAX_NUMBER_LENGTH = 1_000;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class SyntaxFailure extends Error {}

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(): never {
    throw new SyntaxFailure();
  }

  ws(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return;
      this.pos += 1;
    }
  }

  value(depth: number): Value {
    if (depth > MAX_DEPTH) this.fail();
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return { kind: 'string', value: this.string() };
    for (const raw of ['true', 'false', 'null'] as const) {
      if (this.text.startsWith(raw, this.pos)) {
        this.pos += raw.length;
        if (/[0-9A-Za-z]/.test(this.text[this.pos] ?? '')) this.fail();
        return { kind: 'literal', raw };
      }
    }
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match || match[0].length > MAX_NUMBER_LENGTH) this.fail();
    this.pos += match[0].length;
    // A number glued to letters or digits (01, 1x) is not a number.
    if (/[0-9A-Za-z.]/.test(this.text[this.pos] ?? '')) this.fail();
    return { kind: 'number', raw: match[0] };
  }

  object(depth: number): Value {
    this.pos += 1;
    const entries: [string, Value][] = [];
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos += 1;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail();
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail();
      this.pos += 1;
      entries.push([key, this.value(depth + 1)]);
      this.ws();
      const c = this.text[this.pos++];
      if (c === '}') return { kind: 'object', entries };
      if (c !== ',') this.fail();
    }
  }

  array(depth: number): Value {
    this.pos += 1;
    const items: Value[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos += 1;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return { kind: 'array', items };
      if (c !== ',') this.fail();
    }
  }

  string(): string {
    this.pos += 1;
    let out = '';
    for (;;) {
      // Copy the run of plain characters at once.
      let end = this.pos;
      for (let code = this.text.charCodeAt(end); end < this.text.length && code !== 34 && code !== 92 && code >= 32; code = this.text.charCodeAt(++end));
      out += this.text.slice(this.pos, end);
      this.pos = end;
      if (this.pos >= this.text.length) this.fail();
      const c = this.text[this.pos++];
      if (c === '"') return out;
      if (c !== '\\') this.fail(); // a raw control character
      const e = this.text[this.pos++];
      if (e === 'u') {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail();
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 4;
      } else if (e in ESCAPES) out += ESCAPES[e];
      else this.fail();
    }
  }
}

/**
 * The first JSON value of `text`, or undefined where Trino raises an error.
 * `tail`: what may follow the value: nothing (a canonical text), the start of
 * another value (json_parse: Jackson reads one token past the value), or
 * anything (json_extract_scalar and json_size stop once they have the value).
 */
function parseFirst(text: string, tail: 'none' | 'value' | 'any'): Value | undefined {
  const reader = new Reader(text.startsWith('\uFEFF') ? text.slice(1) : text);
  try {
    const value = reader.value(0);
    reader.ws();
    const rest = reader.text.slice(reader.pos);
    // Jackson looks at one more token: another value's start passes, anything else is an error.
    if (rest !== '' && tail !== 'any' && !(tail === 'value' && /^[{["0-9tfn-]/.test(rest))) return undefined;
    return value;
  } catch (error) {
    if (error instanceof SyntaxFailure || error instanceof RangeError) return undefined;
    throw error;
  }
}

function canonical(value: Value): string {
  switch (value.kind) {
    case 'object': {
      const last = new Map(value.entries);
      return `{${[...last.keys()].sort().map((k) => `${JSON.stringify(k)}:${canonical(last.get(k)!)}`).join(',')}}`;
    }
    case 'array':
      return `[${value.items.map(canonical).join(',')}]`;
    case 'string':
      return JSON.stringify(value.value);
    case 'literal':
      return value.raw;
    case 'number': {
      if (/^-?[0-9]+$/.test(value.raw)) return BigInt(value.raw).toString();
      const n = Number(value.raw);
      if (!Number.isFinite(n)) return n > 0 ? '"Infinity"' : '"-Infinity"';
      const text = String(n);
      return /[.eE]/.test(text) ? text : `${text}.0`;
    }
  }
}

// The stand-in calls these once per field of the same line: keep the last parses, a map for each way of reading, keyed
// by the text itself (a prefixed key copied and hashed the whole line again at every call). json_parse reads each line
// once: remembering its input only kept parse trees alive (most of the stand-in's garbage collection).
type Parses = Map<string, Value | null>;
const canonicals: Parses = new Map(); // json_parse's output, as json_extract reads it back
const scanned: Parses = new Map(); // raw text read by streaming
function memo(cache: Parses, text: string, parse: () => Value | undefined): Value | undefined {
  let value = cache.get(text);
  if (value === undefined) {
    if (cache.size > 8_192) cache.clear();
    value = parse() ?? null;
    cache.set(text, value);
  }
  return value ?? undefined;
}

/** `$` or `$.name`: the only paths the landing SQL uses. */
function pathKey(path: string): string | undefined {
  if (path === '$') return undefined;
  const match = /^\$\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(path);
  if (!match) throw new Error(`the stand-in supports only $ and $.name paths, not ${path}`);
  return match[1];
}

/** Canonical text of a parsed value, remembered so that reading it back (json_extract on the result) needs no second parse. */
function canonicalOf(value: Value): string {
  const text = canonical(value);
  if (!canonicals.has(text)) {
    if (canonicals.size > 8_192) canonicals.clear();
    canonicals.set(text, dedup(value));
  }
  return text;
}

/** The value as json_parse keeps it: the last of duplicate keys. */
function dedup(value: Value): Value {
  if (value.kind === 'object') return { kind: 'object', entries: [...new Map(value.entries.map(([k, v]) => [k, dedup(v)] as [string, Value]))] };
  if (value.kind === 'array') return { kind: 'array', items: value.items.map(dedup) };
  return value;
}

export const trinoJson = {
  json_parse(text: string): string | null {
    const value = parseFirst(text, 'value');
    return value ? canonicalOf(value) : null;
  },
  /** json_array_length(json_parse('[' || text || ']')): how many values json_parse reads in the text (null where it raises), without writing the array's canonical text. */
  values_in(text: string): number | null {
    const value = parseFirst(`[${text}]`, 'value');
    return value?.kind === 'array' ? value.items.length : null;
  },
  json_format: (json: string): string => json,
  /** On canonical JSON (the result of json_parse). */
  json_extract(json: string, path: string): string | null {
    const value = memo(canonicals, json, () => parseFirst(json, 'none'));
    const key = pathKey(path);
    if (!value || key === undefined) return value ? canonical(value) : null;
    if (value.kind !== 'object') return null;
    const found = value.entries.find(([k]) => k === key);
    return found ? canonical(found[1]) : null;
  },
  /** On raw text, streaming: the first of duplicate keys, a number as written. */
  json_extract_scalar(text: string, path: string): string | null {
    const value = memo(scanned, text, () => parseFirst(text, 'any'));
    const key = pathKey(path);
    const target = key === undefined ? value : value?.kind === 'object' ? value.entries.find(([k]) => k === key)?.[1] : undefined;
    if (!target) return null;
    if (target.kind === 'string') return target.value;
    if (target.kind === 'number') return target.raw;
    if (target.kind === 'literal') return target.raw === 'null' ? null : target.raw;
    return null;
  },
  /** On raw text, streaming: every entry counts, duplicates included. */
  json_size(text: string, path: string): number | null {
    if (pathKey(path) !== undefined) throw new Error('the stand-in supports json_size only at $');
    const value = memo(canonicals.has(text) ? canonicals : scanned, text, () => parseFirst(text, 'any'));
    if (!value) return null;
    return value.kind === 'object' ? value.entries.length : value.kind === 'array' ? value.items.length : 0;
  },
  /** map_keys(CAST(json AS map(varchar, json))) on canonical JSON, as a JSON array of strings (null for no object). */
  top_keys(json: string): string | null {
    const value = memo(canonicals, json, () => parseFirst(json, 'none'));
    return value?.kind === 'object' ? JSON.stringify([...new Set(value.entries.map(([k]) => k))]) : null;
  },
  /** json_format(CAST(map_filter(CAST(json AS map(varchar, json)), (k, v) -> NOT contains(keys, k)) AS json)) on canonical JSON; `keys`: a JSON array. */
  without_keys(json: string, keys: string): string | null {
    const value = memo(canonicals, json, () => parseFirst(json, 'none'));
    if (value?.kind !== 'object') return null;
    const dropped = new Set(JSON.parse(keys) as string[]);
    return canonical({ kind: 'object', entries: value.entries.filter(([k]) => !dropped.has(k)) });
  },
  json_array_length(json: string): number | null {
    const value = memo(canonicals, json, () => parseFirst(json, 'none'));
    return value?.kind === 'array' ? value.items.length : null;
  },
};

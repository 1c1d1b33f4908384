import type { Column, ColumnType } from '../tables';
import { MAX_NESTING, MAX_SAFE_WHOLE, REASONS } from './landing-rules';

/**
 * A strict RFC 8259 parser for one landing line, read once: it validates the
 * whole line (duplicate keys in any object, control characters, numbers that
 * are not finite doubles, lone surrogate escapes) and takes the declared
 * fields' values on the way. Hand-written because JSON.parse lets the last of
 * two duplicate keys win and turns 1e309 into Infinity without a word.
 */

export type FieldValue = string | number | null;

/** A declared schema compiled for the parser. */
export class RecordSchema {
  readonly index = new Map<string, number>();
  readonly names: readonly string[];
  readonly types: readonly ColumnType[];
  readonly required: readonly boolean[];
  constructor(readonly columns: readonly Column[]) {
    columns.forEach((c, i) => this.index.set(c.name, i));
    this.names = columns.map((c) => c.name);
    this.types = columns.map((c) => c.type);
    this.required = columns.map((c) => c.required);
  }
}

/** `parseRecord` found nothing but whitespace. */
export const BLANK = Symbol('blank');

const STRING = 1;
const NUMBER = 2;
const BOOLEAN = 3;
const NULL = 4;
const OBJECT = 5;
const ARRAY = 6;
const GOT = ['', 'a string', 'a number', 'a boolean', 'null', 'an object', 'an array'];
const UNSET = undefined;
// Per-line scratch, reused: one landing line at a time is parsed.
const problems: Array<string | undefined> = [];
const seen: boolean[] = [];

// Parser state: the parser is synchronous and never re-entered, so module variables are safe and fast.
let s = '';
let i = 0;
let end = 0;
let str = '';
let num = 0;
let failure = '';
const FAILED = new Error('landing line failed');

function fail(reason: string): never {
  failure = reason;
  throw FAILED;
}

function ws(): void {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) i += 1;
    else return;
  }
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function parseString(): string {
  i += 1;
  const start = i;
  let escaped = false;
  for (;;) {
    if (i >= end) fail(REASONS.malformed);
    const c = s.charCodeAt(i);
    if (c === 0x22) break;
    if (c === 0x5c) {
      escaped = true;
      const e = s.charCodeAt(i + 1);
      if (i + 1 >= end) fail(REASONS.malformed);
      if (e === 0x75) {
        if (i + 5 >= end || !isHex(s.charCodeAt(i + 2)) || !isHex(s.charCodeAt(i + 3)) || !isHex(s.charCodeAt(i + 4)) || !isHex(s.charCodeAt(i + 5))) fail(REASONS.malformed);
        i += 6;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2;
      } else fail(REASONS.malformed);
      continue;
    }
    if (c < 0x20) fail(REASONS.controlCharacter);
    i += 1;
  }
  const raw = s.slice(start, i);
  i += 1;
  if (!escaped) return raw;
  // Validated above, so JSON.parse only decodes the escapes.
  const decoded = JSON.parse(`"${raw}"`) as string;
  if (LONE_SURROGATE.test(decoded)) fail(REASONS.unpairedSurrogate);
  return decoded;
}

function digits(): number {
  const start = i;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) i += 1;
    else break;
  }
  return i - start;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
let mantissa = 0;
let significant = 0;

/** Digits at i, also gathered into `mantissa` (exact while `significant` stays at most 15). */
function mantissaDigits(): number {
  const start = i;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (significant > 0 || c !== 48) significant += 1;
    mantissa = mantissa * 10 + (c - 48);
    i += 1;
  }
  return i - start;
}

function parseNumber(): void {
  const start = i;
  const negative = s.charCodeAt(i) === 0x2d;
  if (negative) i += 1;
  mantissa = 0;
  significant = 0;
  const first = i < end ? s.charCodeAt(i) : -1;
  if (first === 0x30) i += 1;
  else if (first >= 0x31 && first <= 0x39) mantissaDigits();
  else fail(first === 0x49 || first === 0x4e ? REASONS.notNumber : REASONS.malformed);
  let scale = 0;
  if (i < end && s.charCodeAt(i) === 0x2e) {
    i += 1;
    scale = mantissaDigits();
    if (scale === 0) fail(REASONS.malformed);
  }
  let exponent = false;
  if (i < end && (s.charCodeAt(i) | 0x20) === 0x65) {
    exponent = true;
    i += 1;
    if (i < end && (s.charCodeAt(i) === 0x2b || s.charCodeAt(i) === 0x2d)) i += 1;
    if (digits() === 0) fail(REASONS.malformed);
  }
  // Exact fast path (Clinger): at most 15 significant digits over an exact power of ten rounds correctly.
  if (!exponent && significant <= 15 && scale <= 22) {
    num = scale === 0 ? mantissa : mantissa / POWERS_OF_TEN[scale];
    if (negative) num = -num;
    return;
  }
  num = Number(s.slice(start, i));
  if (!Number.isFinite(num)) fail(REASONS.numberOutOfRange);
}

function word(text: string, kind: number): number {
  if (!s.startsWith(text, i) || i + text.length > end) fail(REASONS.malformed);
  i += text.length;
  return kind;
}

function parseValue(depth: number): number {
  ws();
  if (i >= end) fail(REASONS.malformed);
  const c = s.charCodeAt(i);
  if (c === 0x22) {
    str = parseString();
    return STRING;
  }
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    parseNumber();
    return NUMBER;
  }
  if (c === 0x7b) {
    parseObject(depth + 1);
    return OBJECT;
  }
  if (c === 0x5b) {
    parseArray(depth + 1);
    return ARRAY;
  }
  if (c === 0x74) return word('true', BOOLEAN);
  if (c === 0x66) return word('false', BOOLEAN);
  if (c === 0x6e) return word('null', NULL);
  return fail(c === 0x4e || c === 0x49 ? REASONS.notNumber : REASONS.malformed);
}

/** A nested object: validated, its keys checked for duplicates, its values dropped. */
function parseObject(depth: number): void {
  if (depth > MAX_NESTING) fail(REASONS.tooDeep);
  i += 1;
  ws();
  if (i < end && s.charCodeAt(i) === 0x7d) {
    i += 1;
    return;
  }
  const keys = new Set<string>();
  for (;;) {
    ws();
    if (i >= end || s.charCodeAt(i) !== 0x22) fail(REASONS.malformed);
    const key = parseString();
    if (keys.has(key)) fail(REASONS.duplicateKey(undefined));
    keys.add(key);
    ws();
    if (i >= end || s.charCodeAt(i) !== 0x3a) fail(REASONS.malformed);
    i += 1;
    parseValue(depth);
    ws();
    const c = i < end ? s.charCodeAt(i) : -1;
    i += 1;
    if (c === 0x7d) return;
    if (c !== 0x2c) fail(REASONS.malformed);
  }
}

function parseArray(depth: number): void {
  if (depth > MAX_NESTING) fail(REASONS.tooDeep);
  i += 1;
  ws();
  if (i < end && s.charCodeAt(i) === 0x5d) {
    i += 1;
    return;
  }
  for (;;) {
    parseValue(depth);
    ws();
    const c = i < end ? s.charCodeAt(i) : -1;
    i += 1;
    if (c === 0x5d) return;
    if (c !== 0x2c) fail(REASONS.malformed);
  }
}

/** The value of a declared field, or the reason it does not fit. */
function typed(kind: number, type: ColumnType, name: string): FieldValue | { reason: string } {
  if (kind === NULL) return null;
  if (type === 'VARCHAR') return kind === STRING ? str : { reason: REASONS.wrongType(name, type, GOT[kind]) };
  if (kind !== NUMBER) return { reason: REASONS.wrongType(name, type, GOT[kind]) };
  if (type === 'DOUBLE') return num;
  // JSON has one number type: 1.0 and 1e3 are whole numbers, 1.5 is not.
  if (!Number.isInteger(num)) return { reason: REASONS.wrongType(name, type, 'a fraction') };
  return Math.abs(num) > MAX_SAFE_WHOLE ? { reason: REASONS.wholeOutOfRange(name) } : num;
}

/**
 * Parses `text[start, stop)` as one landing record into `out` (one value per
 * declared column, null when absent). Returns null when accepted, BLANK for a
 * whitespace-only line, else the quarantine reason.
 */
export function parseRecord(text: string, start: number, stop: number, schema: RecordSchema, out: FieldValue[]): string | null | typeof BLANK {
  try {
    return parseIn(text, start, stop, schema, out);
  } finally {
    // The parser's state must not outlive the call: `s` is a whole block of the file (up to 4 MiB), which a
    // long-lived process (each server worker, reading the customer landing for consent) otherwise kept.
    s = '';
    str = '';
  }
}

function parseIn(text: string, start: number, stop: number, schema: RecordSchema, out: FieldValue[]): string | null | typeof BLANK {
  s = text;
  i = start;
  end = stop;
  ws();
  if (i >= end) return BLANK;
  const columns = schema.names.length;
  for (let c = 0; c < columns; c += 1) {
    problems[c] = UNSET;
    seen[c] = false;
  }
  let expected = 0;
  try {
    const first = s.charCodeAt(i);
    if (first === 0xfeff) fail(REASONS.byteOrderMark);
    if (first !== 0x7b) {
      parseValue(0);
      ws();
      fail(i < end ? REASONS.trailingText : REASONS.notObject);
    }
    i += 1;
    ws();
    let extra: Set<string> | undefined;
    if (i < end && s.charCodeAt(i) === 0x7d) i += 1;
    else {
      for (;;) {
        ws();
        if (i >= end || s.charCodeAt(i) !== 0x22) fail(REASONS.malformed);
        // Producers write the declared fields in order: match the next one in place, without a key string.
        let at: number | undefined;
        let key: string;
        const name = schema.names[expected];
        if (name !== undefined && s.startsWith(name, i + 1) && s.charCodeAt(i + 1 + name.length) === 0x22) {
          at = expected;
          key = name;
          i += name.length + 2;
        } else {
          key = parseString();
          at = schema.index.get(key);
        }
        if (at !== undefined) expected = at + 1;
        ws();
        if (i >= end || s.charCodeAt(i) !== 0x3a) fail(REASONS.malformed);
        i += 1;
        if (at === undefined) {
          extra ??= new Set();
          if (extra.has(key)) fail(REASONS.duplicateKey(undefined));
          extra.add(key);
          parseValue(1);
        } else {
          if (seen[at]) fail(REASONS.duplicateKey(key));
          seen[at] = true;
          const value = typed(parseValue(1), schema.types[at], key);
          if (value !== null && typeof value === 'object') {
            problems[at] = value.reason;
            out[at] = null;
          } else out[at] = value;
        }
        ws();
        const c = i < end ? s.charCodeAt(i) : -1;
        i += 1;
        if (c === 0x7d) break;
        if (c !== 0x2c) fail(REASONS.malformed);
      }
    }
    ws();
    if (i < end) fail(REASONS.trailingText);
  } catch (error) {
    if (error !== FAILED) throw error;
    return failure;
  }
  // Declared order decides which of several problems is reported.
  for (let c = 0; c < columns; c += 1) {
    if (!seen[c]) out[c] = null;
    if (problems[c] !== UNSET) return problems[c]!;
    if (schema.required[c] && out[c] === null) return REASONS.missing(schema.names[c]);
  }
  return null;
}

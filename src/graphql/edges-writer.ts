import { GRAPHQL_MAX_INT, GRAPHQL_MIN_INT } from 'graphql';
import { isoText, MAX_TIME_MS, writeIsoText } from './types/iso-text';
import { writeNumber } from './types/number-text';

/**
 * The row loop of an edges text (edges-text.ts), compiled once per plan: a
 * plan's constant text (keys, punctuation, __typename values) becomes byte
 * stores in the code and each value a check and a write for its kind, with
 * one room check per row. The generic loop spent about as long looking up
 * each cell's kind, text and bytes as writing them. The generated code holds
 * only numbers (bytes, lengths, indices) and fixed names (a scalar's among
 * them): no text of the document or of the data ever becomes code.
 */

/** The scalars an edges text writes, by their GraphQL names. */
export type ScalarKind = 'String' | 'Float' | 'SafeInt' | 'Int' | 'Boolean' | 'DateTime';

/** One value of each row, after the constant text before it (constant values, a __typename, are part of that text). */
export interface WriterCell {
  before: Uint8Array;
  kind: ScalarKind;
  nonNull: boolean;
}

/** Where a write ends up: the buffer (grown when needed) and whether every byte written is ASCII. */
export interface WriteState {
  b: Buffer;
  onlyAscii: boolean;
}

/** Writes `[row,…]` into `state.b` from 0; the length written, or -1 when a value is not written as it is. */
export type EdgesWriter = (state: WriteState, rows: ArrayLike<number>, columns: ReadonlyArray<readonly unknown[]>) => number;

const NULL_BYTES = 4;
/** The most bytes a number (JSON's shortest text of a double) or a quoted time takes. */
const NUMBER_ROOM = 32;
const TIME_ROOM = 26;

/** The compiled writer of rows made of `cells` followed by `end` (the row's closing text). */
export function compileEdgesWriter(cells: readonly WriterCell[], end: Uint8Array): EdgesWriter {
  const lines: string[] = [];
  const out = (line: string): void => void lines.push(line);
  // Room for everything but text values, whose bytes are counted as they are taken (`text`).
  let fixed = 1 + end.length;
  const texts: number[] = [];
  cells.forEach((cell, c) => {
    fixed += cell.before.length;
    if (cell.kind === 'String' || cell.kind === 'Boolean') texts.push(c);
    else if (cell.kind === 'DateTime') (fixed += TIME_ROOM), texts.push(c);
    else fixed += NUMBER_ROOM;
    if (!cell.nonNull) fixed += NULL_BYTES;
  });
  out('let b = state.b; let p = 0; let text = 0; let v; let q = 0;');
  cells.forEach((_cell, c) => {
    out(`const c${c} = columns[${c}];`);
    // A text value's bytes are kept while rows repeat it; a number's place in the text, to copy while they repeat it.
    if (texts.includes(c)) out(`let last${c} = NONE, bytes${c} = EMPTY;`);
    else out(`let last${c} = NONE, at${c} = 0, length${c} = 0;`);
  });
  out('b[p++] = 0x5b;');
  out('for (let i = 0; i < rows.length; i += 1) {');
  out('  const r = rows[i];');
  out(`  if (p + ${fixed} + text > b.length) b = grown(b, p, ${fixed} + text);`);
  out('  if (i > 0) b[p++] = 0x2c;');
  cells.forEach((cell, c) => {
    out(stores(cell.before));
    out(valueCode(cell, c, fixed));
  });
  out(stores(end));
  out('}');
  out('b[p++] = 0x5d;');
  out('state.b = b;');
  out('return p;');
  const factory = new Function('helpers', `"use strict"; const { NONE, EMPTY, grown, copy, writeNumber, writeIsoText, textBytes, isInt, MAX_TIME_MS } = helpers;
return function writeEdgeRows(state, rows, columns) {\n${lines.join('\n')}\n};`) as (helpers: object) => EdgesWriter;
  return factory({ NONE, EMPTY, grown, copy, writeNumber, writeIsoText, textBytes, isInt, MAX_TIME_MS });
}

/** Stores of constant bytes, unrolled. */
function stores(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  const parts = Array.from(bytes, (byte, i) => `b[p + ${i}] = ${byte};`);
  return `  ${parts.join(' ')} p += ${bytes.length};`;
}

/** The code writing one value of column `c`; a null writes `null` or, in a non-null field, gives up (-1). */
function valueCode(cell: WriterCell, c: number, fixed: number): string {
  const onNull = cell.nonNull ? 'return -1;' : 'b[p] = 110; b[p + 1] = 117; b[p + 2] = 108; b[p + 3] = 108; p += 4;';
  const head = `  v = c${c}[r];\n  if (v === null || v === undefined) { ${onNull} }`;
  // A text value's bytes are kept while rows repeat it; the row's room is checked again when they change.
  const text = (test: string): string =>
    `else { if (v !== last${c}) { if (!(${test})) return -1; text -= bytes${c}.length; bytes${c} = textBytes('${cell.kind}', v, state); last${c} = v; text += bytes${c}.length;` +
    ` if (p + ${fixed} + text > b.length) b = grown(b, p, ${fixed} + text); } p = copy(b, p, bytes${c}); }`;
  switch (cell.kind) {
    case 'String':
      return `${head}\n  ${text("typeof v === 'string'")}`;
    case 'Boolean':
      return `${head}\n  ${text("typeof v === 'boolean'")}`;
    case 'Float':
      return number(c, onNull, "typeof v === 'number' && Number.isFinite(v)");
    case 'SafeInt':
      return number(c, onNull, 'Number.isSafeInteger(v)');
    case 'Int':
      return number(c, onNull, 'isInt(v)');
    case 'DateTime': {
      // A time is written from its number (rows seldom repeat one); one of another era as its kept text.
      const inRange = 'typeof v === \'number\' && Math.abs(v) <= MAX_TIME_MS';
      const direct = `else if (${inRange} && (q = writeIsoText(b, p + 1, v)) > 0) { b[p] = 34; b[q] = 34; p = q + 1; }`;
      return `${head}\n  ${direct}\n  ${text(inRange)}`;
    }
    default:
      throw new Error(`an edges text writes String, Boolean, Float, SafeInt, Int or DateTime values, not ${JSON.stringify(cell.kind)}`);
  }
}

/** A number, or the bytes of the same number written last in this column copied (rows repeat times and readings in runs). */
const number = (c: number, onNull: string, test: string): string =>
  `  v = c${c}[r];\n  if (v === last${c}) { for (q = 0; q < length${c}; q += 1) b[p + q] = b[at${c} + q]; p += length${c}; }\n` +
  `  else if (v === null || v === undefined) { ${onNull} }\n` +
  `  else if (${test}) { last${c} = v; at${c} = p; p = writeNumber(b, p, v); length${c} = p - at${c}; } else return -1;`;

const NONE = Symbol('none');
const EMPTY = new Uint8Array(0);

const isInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= GRAPHQL_MIN_INT && (v as number) <= GRAPHQL_MAX_INT;

/** A text value's JSON bytes (a string, a boolean, a time of another era); notes when they are not all ASCII. */
function textBytes(kind: ScalarKind, v: unknown, state: WriteState): Uint8Array {
  const json = kind === 'String' ? JSON.stringify(v) : kind === 'DateTime' ? `"${isoText(v as number)}"` : v ? 'true' : 'false';
  if (/^[\x20-\x7e]*$/.test(json)) {
    const bytes = new Uint8Array(json.length);
    for (let i = 0; i < json.length; i += 1) bytes[i] = json.charCodeAt(i);
    return bytes;
  }
  state.onlyAscii = false;
  return new Uint8Array(Buffer.from(json, 'utf8'));
}

function copy(b: Buffer, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // A native copy pays for itself from about 16 bytes (a key, a serial, a time).
  if (n >= 16) {
    b.set(bytes, at);
    return at + n;
  }
  let p = at;
  for (let i = 0; i < n; i += 1) b[p++] = bytes[i];
  return p;
}

function grown(b: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(2 * b.length, used + more));
  b.copy(bigger, 0, 0, used);
  return bigger;
}

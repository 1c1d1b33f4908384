import { GRAPHQL_MAX_INT, GRAPHQL_MIN_INT } from 'graphql';
import { takeBytes } from '../byte-pool';
import { isoText, MAX_TIME_MS, writeIsoText } from './types/iso-text';

/**
 * The JSON text of a connection's `edges` list, written straight from the
 * page's columns: what graphql-js would answer for a selection of scalar
 * fields of each node (edges-plan.ts decides which selections qualify),
 * without a node, an edge or a result object per row. Each value is written
 * only when its scalar's serialize would return it unchanged (a string, a
 * finite number, a safe integer, an epoch millisecond a Date holds); anything
 * else, and null in a non-null field, makes the text undefined and the caller
 * answers the usual way.
 */

export type ScalarKind = 'String' | 'Float' | 'SafeInt' | 'Int' | 'Boolean' | 'DateTime';

export interface NodeEntry {
  /** `"responseKey":` */
  key: string;
  /** The node field, or undefined for `__typename` (then `typename` is written). */
  field?: string;
  kind?: ScalarKind;
  nonNull?: boolean;
  typename?: string;
}

export interface EdgeEntry {
  key: string;
  /** The node's entries, or undefined for the edge's `__typename`. */
  node?: NodeEntry[];
  typename?: string;
}

/** The rows of a page as columns: `rows` (indices into the columns, in page order) and the column of each node field. */
export interface EdgesSource {
  columns: Readonly<Record<string, readonly unknown[]>>;
  rows: ArrayLike<number>;
  fieldColumns: Readonly<Record<string, string>>;
}

const STRING = 0;
const FLOAT = 1;
const SAFE_INT = 2;
const INT = 3;
const BOOLEAN = 4;
const DATE_TIME = 5;
const KINDS: Record<ScalarKind, number> = { String: STRING, Float: FLOAT, SafeInt: SAFE_INT, Int: INT, Boolean: BOOLEAN, DateTime: DATE_TIME };

/** Whether a non-null value is written as it is: what its scalar's serialize returns unchanged (DateTime: as isoText). */
function writable(kind: number, v: unknown): boolean {
  switch (kind) {
    case STRING:
      return typeof v === 'string';
    case FLOAT:
      return typeof v === 'number' && Number.isFinite(v);
    case SAFE_INT:
      return typeof v === 'number' && Number.isSafeInteger(v);
    case INT:
      return typeof v === 'number' && Number.isInteger(v) && v >= GRAPHQL_MIN_INT && v <= GRAPHQL_MAX_INT;
    case BOOLEAN:
      return typeof v === 'boolean';
    default:
      return typeof v === 'number' && Math.abs(v) <= MAX_TIME_MS;
  }
}

/** One value of each row: its column, and the bytes of the last value written (rows repeat values in runs). */
interface Cell {
  /** The JSON text before the value (keys and punctuation), as bytes. */
  before: Uint8Array;
  values: readonly unknown[] | undefined;
  kind: number;
  nonNull: boolean;
  last: unknown;
  lastBytes: Uint8Array;
}

const NONE = Symbol('none');
function ascii(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * A row of the plan as alternating constant text and values: `{"node":{"a":` 1 `,"b":` 2 `}}`.
 * A constant value (a __typename) is a cell without a column.
 */
function cellsOf(entries: readonly EdgeEntry[], source: EdgesSource): { cells: Cell[]; end: Uint8Array } | undefined {
  const cells: Cell[] = [];
  let text = '{';
  const constant = (json: string): void => {
    cells.push({ before: encode(text), values: undefined, kind: -1, nonNull: true, last: undefined, lastBytes: encode(json) });
    text = '';
  };
  entries.forEach((e, i) => {
    text += `${i === 0 ? '' : ','}${e.key}`;
    if (e.node === undefined) return constant(e.typename ?? 'null');
    text += '{';
    e.node.forEach((n, c) => {
      text += `${c === 0 ? '' : ','}${n.key}`;
      if (n.kind === undefined) return constant(JSON.stringify(n.typename));
      const name = source.fieldColumns[n.field!];
      cells.push({ before: encode(text), values: name === undefined ? undefined : source.columns[name], kind: KINDS[n.kind], nonNull: n.nonNull === true, last: NONE, lastBytes: EMPTY });
      text = '';
    });
    text += '}';
  });
  if (cells.some((c) => c.kind >= 0 && c.values === undefined)) return undefined;
  return { cells, end: encode(`${text}}`) };
}

const EMPTY = new Uint8Array(0);
const NULL = ascii('null');
const encode = (json: string): Uint8Array => new Uint8Array(Buffer.from(json, 'utf8'));

/** The scratch buffer every text is written into (single-threaded: a text is written without an await). */
let scratch: Buffer = Buffer.allocUnsafe(1 << 16);

/** `[{"node":{…}},…]` for the source's rows, or undefined when a value is not written as it is (see above). */
export function edgesText(entries: readonly EdgeEntry[], source: EdgesSource): string | undefined {
  const written = writeEdges(entries, source);
  if (written === undefined) return undefined;
  // ASCII bytes are their own Latin-1 text (a copy); UTF-8 only where a string was not ASCII.
  return scratch.toString(written.onlyAscii ? 'latin1' : 'utf8', 0, written.length);
}

/**
 * The same text as its UTF-8 bytes (a copy of exactly them, in the byte
 * pool's memory): a bulk page's answer is sent as bytes (raw-json.ts), so its
 * edges never become a string.
 */
export function edgesBytes(entries: readonly EdgeEntry[], source: EdgesSource): Buffer | undefined {
  const written = writeEdges(entries, source);
  if (written === undefined) return undefined;
  const out = takeBytes(written.length);
  scratch.copy(out, 0, 0, written.length);
  return out;
}

/** Writes the text's UTF-8 bytes into `scratch` (from 0); undefined when a value is not written as it is. */
function writeEdges(entries: readonly EdgeEntry[], source: EdgesSource): { length: number; onlyAscii: boolean } | undefined {
  const plan = cellsOf(entries, source);
  if (!plan) return undefined;
  const { cells, end } = plan;
  const rows = source.rows;
  let b: Buffer = scratch;
  let p = 0;
  let onlyAscii = true;
  b[p++] = 0x5b; // [
  for (let i = 0; i < rows.length; i += 1) {
    const r = rows[i];
    if (i > 0) {
      if (p + 1 > b.length) b = grown(b, p, 1);
      b[p++] = 0x2c; // ,
    }
    for (let c = 0; c < cells.length; c += 1) {
      const cell = cells[c];
      if (p + cell.before.length > b.length) b = grown(b, p, cell.before.length);
      p = copy(b, p, cell.before);
      let bytes = cell.lastBytes;
      if (cell.kind >= 0) {
        const v = cell.values![r];
        if (v !== cell.last) {
          if (v === null || v === undefined) {
            if (cell.nonNull) return undefined;
            bytes = NULL;
          } else if (!writable(cell.kind, v)) return undefined;
          else if (cell.kind === FLOAT || cell.kind === SAFE_INT || cell.kind === INT) {
            if (p + 32 > b.length) b = grown(b, p, 32);
            p = writeNumber(b, p, v as number);
            continue;
          } else {
            if (cell.kind === DATE_TIME) {
              // A time is written from its number (rows seldom repeat one): no string, no bytes kept per row.
              if (p + 26 > b.length) b = grown(b, p, 26);
              b[p] = 0x22; // "
              const q = writeIsoText(b, p + 1, v as number);
              if (q > 0) {
                b[q] = 0x22;
                p = q + 1;
                continue;
              }
            }
            // Text (a string, a boolean, a time of another era): its bytes are kept for the rows after that repeat it.
            const json = cell.kind === STRING ? JSON.stringify(v) : cell.kind === DATE_TIME ? `"${isoText(v as number)}"` : v ? 'true' : 'false';
            const isAscii = /^[\x20-\x7e]*$/.test(json);
            if (!isAscii) onlyAscii = false;
            cell.last = v;
            bytes = cell.lastBytes = isAscii ? ascii(json) : encode(json);
          }
        }
      }
      if (p + bytes.length > b.length) b = grown(b, p, bytes.length);
      p = copy(b, p, bytes);
    }
    if (p + end.length + 1 > b.length) b = grown(b, p, end.length + 1);
    p = copy(b, p, end);
  }
  b[p++] = 0x5d; // ]
  scratch = b;
  return { length: p, onlyAscii };
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

/** A finite number as JSON writes it: a safe integer digit by digit (-0 as 0), anything else as its text (ASCII). */
function writeNumber(b: Buffer, at: number, v: number): number {
  let p = at;
  if (!Number.isSafeInteger(v)) return p + b.write(`${v}`, p, 'latin1');
  let rest = v;
  if (rest < 0) {
    b[p++] = 0x2d;
    rest = -rest;
  }
  if (rest < 1e9) return writeDigits(b, p, rest);
  // Above 32-bit integers (epoch milliseconds): two halves, each divided in integer arithmetic.
  let high = Math.floor(rest / 1e9);
  let low = rest - high * 1e9;
  if (low < 0) {
    high -= 1;
    low += 1e9;
  } else if (low >= 1e9) {
    high += 1;
    low -= 1e9;
  }
  p = writeDigits(b, p, high);
  for (let q = p + 8; q >= p; q -= 1) {
    const d = (low / 10) | 0;
    b[q] = 0x30 + low - d * 10;
    low = d;
  }
  return p + 9;
}

/** A whole number from 0 to 2^31 - 1, its digits written from the last. */
function writeDigits(b: Buffer, at: number, n: number): number {
  if (n < 10) {
    b[at] = 0x30 + n;
    return at + 1;
  }
  let length = 1;
  for (let t = n; t >= 10; t = (t / 10) | 0) length += 1;
  let rest = n;
  for (let q = at + length - 1; q >= at; q -= 1) {
    const d = (rest / 10) | 0;
    b[q] = 0x30 + rest - d * 10;
    rest = d;
  }
  return at + length;
}

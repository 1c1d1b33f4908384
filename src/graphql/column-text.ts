import { giveBack } from '../byte-pool';

/**
 * The JSON text of a columnar page's lists, written once where the executor
 * checks them (column-lists.ts) and put into the answer as it is: a page of
 * 10,000 training rows repeats each 36-character serial in runs of dozens,
 * which JSON.stringify escapes and copies value by value (a third of its
 * 3.7 ms on such a page). The text is always exactly what JSON.stringify
 * writes for the same list (tests/graphql/column-text.test.ts); anything not
 * plain (a value the check refuses, an object with toJSON) is left to it.
 */

/** A column's text by the list it was written for (the list the executor puts into the answer), and that list's length then. */
const texts = new WeakMap<readonly unknown[], { text: ColumnJson; length: number }>();

/** A list's JSON: text, or its UTF-8 bytes (a prepared batch page's column, read from disk: prepared-batch-page.ts). */
export type ColumnJson = string | Uint8Array;

/** The item types whose lists have a text: the scalars whose serialize returns a plain value unchanged. */
export type ColumnItem = 'String' | 'Float' | 'SafeInt' | 'Int';

export const COLUMN_ITEMS: ReadonlySet<string> = new Set<ColumnItem>(['String', 'Float', 'SafeInt', 'Int']);

/**
 * JSON.stringify(values) when every value is one the item's scalar writes
 * as it is (a string; a finite number, a safe integer, a 32-bit integer),
 * else undefined. Each check is a loop of its own (one shape of value per
 * loop: a shared callback was most of the time). Equal neighbouring strings
 * are escaped once and their text repeated.
 */
export function columnText(values: readonly unknown[], item: ColumnItem): string | undefined {
  if (item === 'String') return stringsText(values);
  // A finite number's JSON is ToString of it (-0 too: "0"), which is what join writes.
  return numbersAsTheyAre(values, item) ? `[${values.join(',')}]` : undefined;
}

/** Whether every value is a number the item's scalar (Float, SafeInt, Int) writes as it is. */
export function numbersAsTheyAre(values: readonly unknown[], item: Exclude<ColumnItem, 'String'>): boolean {
  const n = values.length;
  if (item === 'Float') {
    for (let i = 0; i < n; i += 1) {
      const v = values[i];
      // v - v is 0 for a finite number only (NaN and the infinities give NaN).
      if (typeof v !== 'number' || v - v !== 0) return false;
    }
  } else if (item === 'SafeInt') {
    for (let i = 0; i < n; i += 1) if (!Number.isSafeInteger(values[i])) return false;
  } else {
    for (let i = 0; i < n; i += 1) {
      const v = values[i];
      if (typeof v !== 'number' || (v | 0) !== v) return false;
    }
  }
  return true;
}

function stringsText(values: readonly unknown[]): string | undefined {
  const n = values.length;
  let out = '[';
  for (let i = 0; i < n; ) {
    const value = values[i];
    if (typeof value !== 'string') return undefined;
    let end = i + 1;
    while (end < n && values[end] === value) end += 1;
    const item = JSON.stringify(value);
    out += i === 0 ? item : `,${item}`;
    if (end - i > 1) out += `,${item}`.repeat(end - i - 1);
    i = end;
  }
  return `${out}]`;
}

/** Remembers `text` as the JSON of `values`, for jsonParts. */
export function keepColumnText(values: readonly unknown[], text: ColumnJson): void {
  texts.set(values, { text, length: values.length });
}

/** The text kept for `values`, if any; none if the list's length has changed since (a list cut after it was written). */
export function columnTextOf(values: readonly unknown[]): ColumnJson | undefined {
  const kept = texts.get(values);
  return kept !== undefined && kept.length === values.length ? kept.text : undefined;
}

/**
 * A column list known only by its JSON text (`text`, the list's values, as
 * columnText writes them): the answer takes the text as it is; anything that
 * reads or writes the list otherwise (graphql-js completing it item by item,
 * JSON.stringify of an answer with errors) gets its values back from the text.
 */
export function listOfText(text: ColumnJson): unknown[] {
  // Empty: nothing reads its items but through the text (a page of 10,000 rows made six such lists of 80 kB each).
  const list: unknown[] = [];
  const values = (): unknown[] => JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8')) as unknown[];
  Object.defineProperty(list, 'toJSON', { value: values });
  // graphql-js (a document's first requests, before it is compiled) completes the list item by item, as it iterates it.
  Object.defineProperty(list, Symbol.iterator, { value: () => values()[Symbol.iterator]() });
  keepColumnText(list, text);
  return list;
}

/** How deep in an answer's data column lists sit at most (data → field → columns → list), with room for one more level. */
const MAX_DEPTH = 4;

/**
 * JSON.stringify(data) as pieces in order, with each list that has a kept
 * text written as that text (or its bytes, a list kept as bytes). Only plain
 * objects near the top are walked (where a columnar page's lists are);
 * anything else, and any answer without such a list, is handed to
 * JSON.stringify whole. Undefined when `data` has no JSON.
 */
export function jsonParts(data: unknown): ColumnJson[] | undefined {
  const parts: ColumnJson[] = [];
  return write(data, 0, parts) ? parts : undefined;
}

/** The text of JSON pieces (jsonParts). */
export const partsText = (parts: readonly ColumnJson[]): string => parts.map((p) => (typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8'))).join('');

/** Once an answer made of `parts` is written, the pooled memory its lists kept as bytes were read into can hold another page. */
export function giveBackColumnBytes(parts: readonly ColumnJson[]): void {
  for (const part of parts) if (typeof part !== 'string') giveBack(part);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';

function holdsColumnText(value: unknown, depth: number): boolean {
  if (Array.isArray(value)) return columnTextOf(value) !== undefined;
  if (depth >= MAX_DEPTH || !isPlainObject(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key) && holdsColumnText(value[key], depth + 1)) return true;
  return false;
}

/** Appends the JSON of `value` to `parts`; false (nothing appended) when it has none (undefined, a function, a symbol). */
function write(value: unknown, depth: number, parts: ColumnJson[]): boolean {
  const kept = Array.isArray(value) ? columnTextOf(value) : undefined;
  if (kept !== undefined) return parts.push(kept) > 0;
  if (Array.isArray(value) || depth >= MAX_DEPTH || !isPlainObject(value) || !holdsColumnText(value, depth)) {
    const text = JSON.stringify(value) as string | undefined;
    return text !== undefined && parts.push(text) > 0;
  }
  parts.push('{');
  let first = true;
  for (const key of Object.keys(value)) {
    const mark = parts.length;
    parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
    // As JSON.stringify: a member whose value has no JSON is left out.
    if (!write(value[key], depth + 1, parts)) parts.length = mark;
    else first = false;
  }
  parts.push('}');
  return true;
}

import { isAscii } from 'node:buffer';
import { giveBack } from '../byte-pool';
import { giveBackColumnBytes, jsonParts, partsText } from '../graphql/column-text';
import { releaseRawJson, withRawJson, withRawJsonBytes } from '../graphql/raw-json';
import { bytesAnswerToken } from './sent-as-bytes';

/** Answers above this estimate are not kept (bulk pages stream through). */
export const MAX_ENTRY_BYTES = 256 * 1024;

/** Where an answer is to be kept once written: the cache's `keep`, and its key. */
export interface Keeping {
  cache: { keep(key: string, text: string, operation: string | null): void };
  key: string;
  operation: string | null;
}

/**
 * An answer is kept as its JSON text (one string: no object graph for the
 * garbage collector to walk, and its size is known), taken from the one
 * serialisation Apollo makes anyway; a hit hands Apollo a placeholder that
 * `stringifyResult` turns back into that text, unparsed.
 */
const texts = new WeakMap<object, string>();
/** Answers to keep once serialised: their data object, and where and under which key. */
const toKeep = new WeakMap<object, Keeping>();

/**
 * Apollo's stringifyResult: a kept answer's text as it was, anything else as Apollo writes it (JSON and a newline: the
 * same text, see column-text.ts), with any JSON text a resolver made written in (raw-json.ts).
 */
export function stringifyResult(value: { data?: unknown; errors?: unknown; extensions?: unknown }): string {
  const data = value.data && typeof value.data === 'object' ? value.data : undefined;
  const kept = data && texts.get(data);
  const pending = data && toKeep.get(data);
  if (!data || !onlyData(value)) return `${withRawJson(data, JSON.stringify(value))}\n`;
  // Without errors or extensions, Apollo's JSON of the result is exactly {"data":…}; a columnar page's lists are written as their texts.
  if (kept !== undefined) {
    if (pending) pending.cache.keep(pending.key, kept, pending.operation);
    return `{"data":${kept}}\n`;
  }
  const parts = jsonParts(data) ?? [];
  // An answer holding bytes (a bulk page's edges, a prepared batch page's columns) that the cache will not keep is sent
  // as bytes (sent-as-bytes.ts), never made a string.
  const bytes = withRawJsonBytes(data, ['{"data":', ...parts, '}\n']);
  const token = bytes && (!pending || surelyOverBound(bytes)) ? bytesAnswerToken(bytes) : undefined;
  if (token !== undefined) {
    releaseRawJson(data);
    giveBackColumnBytes(parts);
    return token;
  }
  if (bytes) giveBack(bytes);
  const text = withRawJson(data, partsText(parts));
  giveBackColumnBytes(parts);
  if (pending) pending.cache.keep(pending.key, text, pending.operation);
  return `{"data":${text}}\n`;
}

/**
 * The answer's text would be above the per-answer bound: ASCII bytes are one byte a character in V8's
 * string too; otherwise a character costs at least half its UTF-8 bytes (one byte for two, or two for up to four).
 */
function surelyOverBound(bytes: Buffer): boolean {
  return bytes.length > (isAscii(bytes) ? MAX_ENTRY_BYTES : 2 * MAX_ENTRY_BYTES);
}

/** A result with nothing but its data (no errors, extensions or any other member with a value). */
function onlyData(value: object): boolean {
  for (const [key, member] of Object.entries(value)) if (key !== 'data' && member !== undefined) return false;
  return true;
}

/** A kept answer's placeholder for Apollo: `stringifyResult` writes `text` in its place, unparsed. */
export function placeholderOf(text: string): Record<string, unknown> {
  const placeholder = {};
  texts.set(placeholder, text);
  return placeholder;
}

/** Keeps `data`'s text, as `stringifyResult` writes it, where `keeping` says (if it is then still answered as it is). */
export function keepOnceWritten(data: object, keeping: Keeping): void {
  toKeep.set(data, keeping);
}

import type { ColumnType } from '../tables';
import { FAILED, JsonScanner, NULL, NUMBER, STRING } from './json-scanner';
import { MAX_SAFE_WHOLE, NOT_VISIBLE_ASCII, REASONS, keySpellingOf } from './landing-rules';
import type { FieldValue, RecordSchema } from './record-schema';

export { type FieldValue, RecordSchema } from './record-schema';

/**
 * One landing line parsed as a record, read once: the whole line is
 * validated as strict RFC 8259 JSON (json-scanner.ts) and the declared
 * fields' values are taken on the way. Hand-written because JSON.parse lets
 * the last of two duplicate keys win and turns 1e309 into Infinity without a
 * word.
 */

/** `parseRecord` found nothing but whitespace. */
export const BLANK = Symbol('blank');

const GOT = ['', 'a string', 'a number', 'a boolean', 'null', 'an object', 'an array'];
const UNSET = undefined;
// Per-line scratch, reused: one landing line at a time is parsed (synchronously, never re-entered).
const problems: Array<string | undefined> = [];
const seen: boolean[] = [];
const scan = new JsonScanner();
const NOT_VISIBLE = new RegExp(NOT_VISIBLE_ASCII);
let beyondDeclared = false;
// Private: where each top-level member beyond the declared fields starts (its key's quote) and ends (after its value), in pairs.
const beyondSpans: number[] = [];

/**
 * Whether the line parseRecord last read has a top-level key beyond the declared fields (whatever its value: nested,
 * an array, a string). Such a line may name a device or an email outside the declared fields (consent-doubt.ts).
 */
export const lastBeyondDeclared = (): boolean => beyondDeclared;

/**
 * Of the line parseRecord last read (`text`, as given to it), its members beyond the declared fields as written, as
 * one JSON object (`{"meta":{…},"source":"app"}`): what doubt searches of a valid record, whose declared fields are its
 * writer's own. Only while lastBeyondDeclared().
 */
export function lastBeyondText(text: string): string {
  const members: string[] = [];
  for (let i = 0; i < beyondSpans.length; i += 2) members.push(text.slice(beyondSpans[i], beyondSpans[i + 1]));
  return `{${members.join(',')}}`;
}

/** The value of a declared field, or the reason it does not fit. */
function typed(kind: number, type: ColumnType, name: string, maxBytes: number, minWhole: number, visibleAscii: boolean): FieldValue | { reason: string } {
  if (kind === NULL) return null;
  if (type === 'VARCHAR') {
    if (kind !== STRING) return { reason: REASONS.wrongType(name, type, GOT[kind]) };
    if (maxBytes < Infinity && Buffer.byteLength(scan.str) > maxBytes) return { reason: REASONS.textTooLong(name, maxBytes) };
    return visibleAscii && NOT_VISIBLE.test(scan.str) ? { reason: REASONS.notVisibleAscii(name) } : scan.str;
  }
  if (kind !== NUMBER) return { reason: REASONS.wrongType(name, type, GOT[kind]) };
  // `+ 0` makes -0.0 zero, as the Athena landing does: both engines store one zero (ORDER BY and `=` then agree on it).
  const num = scan.num + 0;
  if (type === 'DOUBLE') return num;
  // JSON has one number type: 1.0 and 1e3 are whole numbers, 1.5 is not.
  if (!Number.isInteger(num)) return { reason: REASONS.wrongType(name, type, 'a fraction') };
  if (Math.abs(num) > MAX_SAFE_WHOLE) return { reason: REASONS.wholeOutOfRange(name) };
  return num < minWhole ? { reason: REASONS.dateInSeconds(name) } : num;
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
    scan.s = '';
    scan.str = '';
  }
}

function parseIn(text: string, start: number, stop: number, schema: RecordSchema, out: FieldValue[]): string | null | typeof BLANK {
  scan.s = text;
  scan.i = start;
  scan.end = stop;
  beyondDeclared = false;
  beyondSpans.length = 0;
  scan.ws();
  if (scan.i >= stop) return BLANK;
  const columns = schema.names.length;
  for (let c = 0; c < columns; c += 1) {
    problems[c] = UNSET;
    seen[c] = false;
  }
  let expected = 0;
  // The first declared field (in declared order) a key respells: judged last, once the line is read, as the Athena view does.
  let respelled = columns;
  try {
    const first = text.charCodeAt(scan.i);
    if (first === 0xfeff) scan.fail(REASONS.byteOrderMark);
    if (first !== 0x7b) {
      scan.parseValue(0);
      scan.ws();
      scan.fail(scan.i < stop ? REASONS.trailingText : REASONS.notObject);
    }
    scan.i += 1;
    scan.ws();
    let extra: Set<string> | undefined;
    if (scan.i < stop && text.charCodeAt(scan.i) === 0x7d) scan.i += 1;
    else {
      for (;;) {
        scan.ws();
        if (scan.i >= stop || text.charCodeAt(scan.i) !== 0x22) scan.fail(REASONS.malformed);
        // Producers write the declared fields in order: match the next one in place, without a key string.
        let at: number | undefined;
        let key: string;
        const memberStart = scan.i;
        const name = schema.names[expected];
        if (name !== undefined && text.startsWith(name, scan.i + 1) && text.charCodeAt(scan.i + 1 + name.length) === 0x22) {
          at = expected;
          key = name;
          scan.i += name.length + 2;
        } else {
          key = scan.parseString();
          at = schema.index.get(key);
        }
        if (at !== undefined) expected = at + 1;
        scan.ws();
        if (scan.i >= stop || text.charCodeAt(scan.i) !== 0x3a) scan.fail(REASONS.malformed);
        scan.i += 1;
        if (at === undefined) {
          extra ??= new Set();
          beyondDeclared = true;
          if (extra.has(key)) scan.fail(REASONS.duplicateKey(undefined));
          extra.add(key);
          respelled = Math.min(respelled, schema.spelled.get(keySpellingOf(key)) ?? columns);
          scan.parseValue(1);
          beyondSpans.push(memberStart, scan.i);
        } else {
          if (seen[at]) scan.fail(REASONS.duplicateKey(key));
          seen[at] = true;
          const value = typed(scan.parseValue(1), schema.types[at], key, schema.maxBytes[at], schema.minWhole[at], schema.visibleAscii[at]);
          if (value !== null && typeof value === 'object') {
            problems[at] = value.reason;
            out[at] = null;
          } else out[at] = value;
        }
        scan.ws();
        const c = scan.i < stop ? text.charCodeAt(scan.i) : -1;
        scan.i += 1;
        if (c === 0x7d) break;
        if (c !== 0x2c) scan.fail(REASONS.malformed);
      }
    }
    scan.ws();
    if (scan.i < stop) scan.fail(REASONS.trailingText);
  } catch (error) {
    if (error !== FAILED) throw error;
    return scan.failure;
  }
  // Every field is read before any is judged: a line refused for one field still gives the others' values (consent doubt reads its date).
  for (let c = 0; c < columns; c += 1) if (!seen[c]) out[c] = null;
  // Declared order decides which of several problems is reported.
  for (let c = 0; c < columns; c += 1) {
    if (problems[c] !== UNSET) return problems[c]!;
    if (schema.required[c] && out[c] === null) return REASONS.missing(schema.names[c]);
  }
  // Last, as on Athena: a line otherwise valid whose key respells a declared one (which did the producer mean?).
  return respelled < columns ? REASONS.respelledKey(schema.names[respelled]) : null;
}

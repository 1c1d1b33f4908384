import { MAX_SAFE_WHOLE } from './landing-rules';
import type { FieldValue, RecordSchema } from './strict-record';

/**
 * The common landing line, read in one straight pass: `{`, the declared
 * fields in declared order (trailing optional ones may be absent), plain
 * strings without escapes, numbers without exponents of at most 15
 * significant digits, `}`. Anything else returns false and the strict parser
 * (strict-record.ts) decides the line, so this path only ever accepts lines
 * the strict parser accepts, with the same values (a property test holds it to that).
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Fills `out` and returns true when `s[start, end)` is an accepted record of the common shape. */
export function fastRecord(s: string, start: number, end: number, schema: RecordSchema, out: FieldValue[]): boolean {
  const { names, types, required } = schema;
  const columns = names.length;
  let i = start;
  if (s.charCodeAt(i) !== 0x7b) return false;
  i += 1;
  for (let c = 0; c < columns; c += 1) {
    while (s.charCodeAt(i) === 0x20) i += 1;
    if (s.charCodeAt(i) !== 0x22) return false;
    const name = names[c];
    const length = name.length;
    for (let k = 0; k < length; k += 1) if (s.charCodeAt(i + 1 + k) !== name.charCodeAt(k)) return false;
    i += length + 1;
    if (s.charCodeAt(i) !== 0x22) return false;
    i += 1;
    while (s.charCodeAt(i) === 0x20) i += 1;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i += 1;
    while (s.charCodeAt(i) === 0x20) i += 1;
    let ch = s.charCodeAt(i);
    if (ch === 0x6e) {
      // `null`: an absent value, accepted only where the field is optional.
      if (required[c] || s.charCodeAt(i + 1) !== 0x75 || s.charCodeAt(i + 2) !== 0x6c || s.charCodeAt(i + 3) !== 0x6c) return false;
      out[c] = null;
      i += 4;
    } else if (types[c] === 'VARCHAR') {
      if (ch !== 0x22) return false;
      const from = i + 1;
      for (i = from; ; i += 1) {
        if (i >= end) return false;
        ch = s.charCodeAt(i);
        if (ch === 0x22) break;
        if (ch === 0x5c || ch < 0x20) return false;
      }
      out[c] = s.slice(from, i);
      i += 1;
    } else {
      // The strict parser's exact path (Clinger): the same digits give the same double.
      const negative = ch === 0x2d;
      if (negative) {
        i += 1;
        ch = s.charCodeAt(i);
      }
      let mantissa = 0;
      let significant = 0;
      if (ch === 0x30) i += 1;
      else if (ch >= 0x31 && ch <= 0x39) {
        for (; i < end; i += 1) {
          ch = s.charCodeAt(i);
          if (ch < 0x30 || ch > 0x39) break;
          significant += 1;
          mantissa = mantissa * 10 + (ch - 0x30);
        }
      } else return false;
      let scale = 0;
      if (s.charCodeAt(i) === 0x2e) {
        i += 1;
        const from = i;
        for (; i < end; i += 1) {
          ch = s.charCodeAt(i);
          if (ch < 0x30 || ch > 0x39) break;
          if (significant > 0 || ch !== 0x30) significant += 1;
          mantissa = mantissa * 10 + (ch - 0x30);
        }
        scale = i - from;
        if (scale === 0) return false;
      }
      if (significant > 15 || scale > 22 || i >= end) return false;
      ch = s.charCodeAt(i);
      if (ch === 0x65 || ch === 0x45) return false;
      let num = scale === 0 ? mantissa : mantissa / POWERS_OF_TEN[scale];
      if (negative) num = -num;
      if (types[c] === 'BIGINT' && (!Number.isInteger(num) || Math.abs(num) > MAX_SAFE_WHOLE)) return false;
      out[c] = num;
    }
    while (s.charCodeAt(i) === 0x20) i += 1;
    ch = s.charCodeAt(i);
    i += 1;
    if (ch === 0x2c && c < columns - 1) continue;
    if (ch !== 0x7d) return false;
    // The object ended early: only optional fields may be missing.
    for (let rest = c + 1; rest < columns; rest += 1) {
      if (required[rest]) return false;
      out[rest] = null;
    }
    break;
  }
  if (i > end) return false;
  for (; i < end; i += 1) {
    const ch = s.charCodeAt(i);
    if (ch !== 0x20 && ch !== 0x09 && ch !== 0x0d) return false;
  }
  return true;
}

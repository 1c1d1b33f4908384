import { MAX_SAFE_WHOLE } from './landing-rules';
import type { FieldValue, RecordSchema } from './record-schema';

/**
 * The common landing line, read in one straight pass over its UTF-8 bytes
 * (byte loads cost less than `charCodeAt`, and a block of lines is never
 * decoded into one large string): `{`, the declared fields in declared order
 * (trailing optional ones may be absent), plain ASCII strings (bytes
 * 0x20–0x7f, no quote or backslash: a value's bytes are its characters),
 * numbers without exponents of at most 15 significant digits, `}`. Anything
 * else returns false and the strict parser (strict-record.ts) decides the
 * line, so this path only ever accepts lines the strict parser accepts, with
 * the same values (a property test holds it to that). A string value equal to
 * the same column's previous one is that very string (the rows of a landing
 * file come in runs of one user or device): neither decoded nor compared as
 * text again.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

export class FastRecord {
  private readonly names: Uint8Array[];
  private readonly text: boolean[];
  private readonly whole: boolean[];
  private readonly required: readonly boolean[];
  private readonly maxBytes: readonly number[];
  private readonly minWhole: readonly number[];
  private readonly visibleAscii: readonly boolean[];
  /** Per column: the last string value taken, and a copy of its bytes. */
  private readonly previous: Array<string | undefined>;
  private readonly previousBytes: Uint8Array[];

  constructor(schema: RecordSchema) {
    this.names = schema.names.map((name) => Buffer.from(name, 'utf8'));
    this.text = schema.types.map((t) => t === 'VARCHAR');
    this.whole = schema.types.map((t) => t === 'BIGINT');
    this.required = schema.required;
    this.maxBytes = schema.maxBytes;
    this.minWhole = schema.minWhole;
    this.visibleAscii = schema.visibleAscii;
    this.previous = schema.names.map(() => undefined);
    this.previousBytes = schema.names.map(() => new Uint8Array(64));
  }

  /** Fills `out` and returns true when `b[start, end)` is an accepted record of the common shape. */
  read(b: Buffer, start: number, end: number, out: FieldValue[]): boolean {
    let i = this.object(b, start, end, out);
    if (i < 0) return false;
    for (; i < end; i += 1) {
      const ch = b[i];
      if (ch !== 0x20 && ch !== 0x09 && ch !== 0x0d) return false;
    }
    return true;
  }

  /**
   * The line starting at `start` in a block of lines ending at `limit`, read
   * without finding its end first: where read() of that line would accept it,
   * fills `out` and returns its end (the index of its `\n`, or `limit`);
   * otherwise -1, and read() of that line would decline it too. A line holds
   * no `\n` inside a string or number of the common shape, so the object ends
   * on the same bytes either way.
   */
  readLine(b: Buffer, start: number, limit: number, out: FieldValue[]): number {
    let i = this.object(b, start, limit, out);
    if (i < 0) return -1;
    for (; i < limit; i += 1) {
      const ch = b[i];
      if (ch === 0x0a) return i;
      if (ch !== 0x20 && ch !== 0x09 && ch !== 0x0d) return -1;
    }
    return limit;
  }

  /** The object of the common shape at `start`, read no further than `end`: the index after its `}`, or -1. */
  private object(b: Buffer, start: number, end: number, out: FieldValue[]): number {
    const { names, text, whole, required } = this;
    const columns = names.length;
    let i = start;
    if (b[i] !== 0x7b) return -1;
    i += 1;
    for (let c = 0; c < columns; c += 1) {
      while (b[i] === 0x20) i += 1;
      if (b[i] !== 0x22) return -1;
      const name = names[c];
      const length = name.length;
      for (let k = 0; k < length; k += 1) if (b[i + 1 + k] !== name[k]) return -1;
      i += length + 1;
      if (b[i] !== 0x22) return -1;
      i += 1;
      while (b[i] === 0x20) i += 1;
      if (b[i] !== 0x3a) return -1;
      i += 1;
      while (b[i] === 0x20) i += 1;
      let ch = b[i];
      if (ch === 0x6e) {
        // `null`: an absent value, accepted only where the field is optional.
        if (required[c] || b[i + 1] !== 0x75 || b[i + 2] !== 0x6c || b[i + 3] !== 0x6c) return -1;
        out[c] = null;
        i += 4;
      } else if (text[c]) {
        if (ch !== 0x22) return -1;
        i = this.string(c, b, i + 1, end, out);
        if (i < 0) return -1;
      } else {
        // The strict parser's exact path (Clinger): the same digits give the same double.
        const negative = ch === 0x2d;
        if (negative) {
          i += 1;
          ch = b[i];
        }
        let mantissa = 0;
        let significant = 0;
        if (ch === 0x30) i += 1;
        else if (ch >= 0x31 && ch <= 0x39) {
          for (; i < end; i += 1) {
            ch = b[i];
            if (ch < 0x30 || ch > 0x39) break;
            significant += 1;
            mantissa = mantissa * 10 + (ch - 0x30);
          }
        } else return -1;
        let scale = 0;
        if (b[i] === 0x2e) {
          i += 1;
          const from = i;
          for (; i < end; i += 1) {
            ch = b[i];
            if (ch < 0x30 || ch > 0x39) break;
            if (significant > 0 || ch !== 0x30) significant += 1;
            mantissa = mantissa * 10 + (ch - 0x30);
          }
          scale = i - from;
          if (scale === 0) return -1;
        }
        if (significant > 15 || scale > 22 || i >= end) return -1;
        ch = b[i];
        if (ch === 0x65 || ch === 0x45) return -1;
        let num = scale === 0 ? mantissa : mantissa / POWERS_OF_TEN[scale];
        if (negative) num = -num;
        // A date below MIN_EPOCH_MS (in seconds) is the strict parser's to refuse.
        if (whole[c] && (!Number.isInteger(num) || Math.abs(num) > MAX_SAFE_WHOLE || num < this.minWhole[c])) return -1;
        // -0.0 is stored as 0, as strict-record.ts and the Athena landing store it.
        out[c] = num + 0;
      }
      while (b[i] === 0x20) i += 1;
      ch = b[i];
      i += 1;
      if (ch === 0x2c && c < columns - 1) continue;
      if (ch !== 0x7d) return -1;
      // The object ended early: only optional fields may be missing.
      for (let rest = c + 1; rest < columns; rest += 1) {
        if (required[rest]) return -1;
        out[rest] = null;
      }
      break;
    }
    return i > end ? -1 : i;
  }

  /**
   * Column `c`'s string starting at `from` (after its quote), into `out[c]`: the index after its closing quote, or -1.
   * Its bytes are matched against the previous string's as they are scanned: the same bytes are that very string.
   */
  private string(c: number, b: Buffer, from: number, end: number, out: FieldValue[]): number {
    const previous = this.previous[c];
    let i = from;
    if (previous !== undefined && from + previous.length < end) {
      const bytes = this.previousBytes[c];
      const length = previous.length;
      let k = 0;
      while (k < length && b[from + k] === bytes[k]) k += 1;
      // The bytes matched are the previous string's: ASCII with no quote, backslash or control character.
      i = from + k;
      if (k === length && b[i] === 0x22) {
        out[c] = previous;
        return i + 1;
      }
    }
    // A space or DEL in a string that must be visible ASCII is the strict parser's to refuse.
    const least = this.visibleAscii[c] ? 0x21 : 0x20;
    const most = this.visibleAscii[c] ? 0x7e : 0x7f;
    for (; ; i += 1) {
      if (i >= end) return -1;
      const ch = b[i];
      if (ch === 0x22) break;
      if (ch === 0x5c || ch < least || ch > most) return -1;
    }
    // ASCII: latin1 reads each byte as the character UTF-8 would, and copies it (no slice keeps the block alive).
    const length = i - from;
    if (length > this.maxBytes[c]) return -1;
    const value = b.toString('latin1', from, i);
    let bytes = this.previousBytes[c];
    if (bytes.length < length) bytes = this.previousBytes[c] = new Uint8Array(Math.max(length, 2 * bytes.length));
    for (let k = 0; k < length; k += 1) bytes[k] = b[from + k];
    this.previous[c] = value;
    out[c] = value;
    return i + 1;
  }
}

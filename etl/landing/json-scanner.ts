import { parseNumber } from './json-number';
import { MAX_NESTING, REASONS } from './landing-rules';

/**
 * A strict RFC 8259 scanner over a range of a text, for the landing record
 * parser (strict-record.ts): it validates values (duplicate keys in any
 * object, control characters, numbers that are not finite doubles, lone
 * surrogate escapes, nesting) and keeps the last string or number read.
 * A failure throws FAILED with its quarantine reason in `failure`.
 */

/** What parseValue found. */
export const STRING = 1;
export const NUMBER = 2;
export const BOOLEAN = 3;
export const NULL = 4;
export const OBJECT = 5;
export const ARRAY = 6;

export const FAILED = new Error('landing line failed');

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export class JsonScanner {
  /** The text, the position read next and the end of the range. */
  s = '';
  i = 0;
  end = 0;
  /** The last string and number read. */
  str = '';
  num = 0;
  failure = '';

  fail(reason: string): never {
    this.failure = reason;
    throw FAILED;
  }

  ws(): void {
    const { s, end } = this;
    while (this.i < end) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) this.i += 1;
      else return;
    }
  }

  parseString(): string {
    const { s, end } = this;
    this.i += 1;
    const start = this.i;
    let escaped = false;
    for (;;) {
      const i = this.i;
      if (i >= end) this.fail(REASONS.malformed);
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        const e = s.charCodeAt(i + 1);
        if (i + 1 >= end) this.fail(REASONS.malformed);
        if (e === 0x75) {
          if (i + 5 >= end || !isHex(s.charCodeAt(i + 2)) || !isHex(s.charCodeAt(i + 3)) || !isHex(s.charCodeAt(i + 4)) || !isHex(s.charCodeAt(i + 5))) this.fail(REASONS.malformed);
          this.i += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          this.i += 2;
        } else this.fail(REASONS.malformed);
        continue;
      }
      if (c < 0x20) this.fail(REASONS.controlCharacter);
      this.i += 1;
    }
    const raw = s.slice(start, this.i);
    this.i += 1;
    if (!escaped) return raw;
    // Validated above, so JSON.parse only decodes the escapes.
    const decoded = JSON.parse(`"${raw}"`) as string;
    if (LONE_SURROGATE.test(decoded)) this.fail(REASONS.unpairedSurrogate);
    return decoded;
  }

  private word(text: string, kind: number): number {
    if (!this.s.startsWith(text, this.i) || this.i + text.length > this.end) this.fail(REASONS.malformed);
    this.i += text.length;
    return kind;
  }

  /** One value at any nesting `depth`; its kind (a string or number read is in `str` or `num`). */
  parseValue(depth: number): number {
    this.ws();
    if (this.i >= this.end) this.fail(REASONS.malformed);
    const c = this.s.charCodeAt(this.i);
    if (c === 0x22) {
      this.str = this.parseString();
      return STRING;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      parseNumber(this);
      return NUMBER;
    }
    if (c === 0x7b) {
      this.parseObject(depth + 1);
      return OBJECT;
    }
    if (c === 0x5b) {
      this.parseArray(depth + 1);
      return ARRAY;
    }
    if (c === 0x74) return this.word('true', BOOLEAN);
    if (c === 0x66) return this.word('false', BOOLEAN);
    if (c === 0x6e) return this.word('null', NULL);
    return this.fail(c === 0x4e || c === 0x49 ? REASONS.notNumber : REASONS.malformed);
  }

  /** A nested object: validated, its keys checked for duplicates, its values dropped. */
  private parseObject(depth: number): void {
    if (depth > MAX_NESTING) this.fail(REASONS.tooDeep);
    this.i += 1;
    this.ws();
    if (this.i < this.end && this.s.charCodeAt(this.i) === 0x7d) {
      this.i += 1;
      return;
    }
    const keys = new Set<string>();
    for (;;) {
      this.ws();
      if (this.i >= this.end || this.s.charCodeAt(this.i) !== 0x22) this.fail(REASONS.malformed);
      const key = this.parseString();
      if (keys.has(key)) this.fail(REASONS.duplicateKey(undefined));
      keys.add(key);
      this.ws();
      if (this.i >= this.end || this.s.charCodeAt(this.i) !== 0x3a) this.fail(REASONS.malformed);
      this.i += 1;
      this.parseValue(depth);
      this.ws();
      const c = this.i < this.end ? this.s.charCodeAt(this.i) : -1;
      this.i += 1;
      if (c === 0x7d) return;
      if (c !== 0x2c) this.fail(REASONS.malformed);
    }
  }

  private parseArray(depth: number): void {
    if (depth > MAX_NESTING) this.fail(REASONS.tooDeep);
    this.i += 1;
    this.ws();
    if (this.i < this.end && this.s.charCodeAt(this.i) === 0x5d) {
      this.i += 1;
      return;
    }
    for (;;) {
      this.parseValue(depth);
      this.ws();
      const c = this.i < this.end ? this.s.charCodeAt(this.i) : -1;
      this.i += 1;
      if (c === 0x5d) return;
      if (c !== 0x2c) this.fail(REASONS.malformed);
    }
  }
}

import type { ColumnBatch, NumberColumn, TextColumn } from './column-batches';

/**
 * The pages' contents of one column chunk (a row group's column) of a landing
 * Parquet file (landing-parquet.ts), from the column batches the landing
 * reader filled: definition levels, plain numbers, dictionary-encoded strings.
 */

/** Batches gathered for one row group. */
export interface Pending {
  batch: ColumnBatch;
  rows: number;
}

/** A ULEB128 varint (the run headers of Parquet's RLE / bit-packed hybrid). */
function pushVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

const isSet = (valid: Uint8Array | null, r: number): boolean => valid === null || (valid[r >> 3] & (1 << (r & 7))) !== 0;

/** An optional column's definition levels (1: present), the validity bits as one bit-packed run, length first. */
export function definitionLevels(pending: readonly Pending[], c: number, rows: number): Buffer {
  const bytes = Math.ceil(rows / 8);
  const header: number[] = [];
  pushVarint(header, (bytes << 1) | 1);
  const out = Buffer.alloc(4 + header.length + bytes);
  out.writeInt32LE(header.length + bytes, 0);
  out.set(header, 4);
  let at = 4 + header.length;
  // Every batch but the last holds BATCH_ROWS rows, a whole number of bytes.
  for (const { batch, rows: n } of pending) {
    const { valid } = batch[c];
    const length = Math.ceil(n / 8);
    if (valid) out.set(valid.subarray(0, length), at);
    else out.fill(0xff, at, at + length);
    at += length;
  }
  return out;
}

/** A number column's present values, 8 bytes each, as the batches hold them. */
export function plainValues(pending: readonly Pending[], c: number): Uint8Array[] {
  const values: Uint8Array[] = [];
  for (const { batch, rows } of pending) {
    const column = batch[c] as NumberColumn;
    if (!column.valid) values.push(new Uint8Array(column.values, 0, rows * 8));
    else {
      // Each 8-byte value as two 4-byte words: the bits move unchanged.
      const words = new Int32Array(column.values);
      const present = new Int32Array(rows * 2);
      let n = 0;
      for (let r = 0; r < rows; r += 1) {
        if (!isSet(column.valid, r)) continue;
        present[n++] = words[2 * r];
        present[n++] = words[2 * r + 1];
      }
      values.push(new Uint8Array(present.buffer, 0, n * 4));
    }
  }
  return values;
}

/** A string column's dictionary page (PLAIN: length, UTF-8) and its present rows as RLE runs of dictionary indices. */
export function dictionaryEncoded(pending: readonly Pending[], c: number): { values: Uint8Array[]; dictionary: Buffer; dictionarySize: number } {
  const runs = new Runs();
  for (const { batch, rows } of pending) runs.add(batch[c] as TextColumn, rows);
  const { values } = runs;
  // At most 3 bytes per UTF-16 unit (4 per surrogate pair), after a 4-byte length.
  let most = 0;
  for (const value of values) most += 4 + 3 * value.length;
  const dictionary = Buffer.allocUnsafe(most);
  let at = 0;
  for (const value of values) {
    const length = writeUtf8(value, dictionary, at + 4);
    dictionary.writeUInt32LE(length, at);
    at += 4 + length;
  }
  return { values: [runs.encode()], dictionary: dictionary.subarray(0, at), dictionarySize: values.length };
}

/**
 * `text` as UTF-8 into `out` from `at`; returns the bytes written. In JavaScript: a call into
 * Node per string cost more than the copy (the customer source has a string of its own per row and column).
 * A lone surrogate becomes U+FFFD, as Buffer.from writes it (the landing reader quarantines those anyway).
 */
export function writeUtf8(text: string, out: Uint8Array, at: number): number {
  const from = at;
  for (let i = 0; i < text.length; i += 1) {
    let c = text.charCodeAt(i);
    if (c < 0x80) out[at++] = c;
    else if (c < 0x800) {
      out[at++] = 0xc0 | (c >> 6);
      out[at++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c < 0xe000) {
        const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
          const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          out[at++] = 0xf0 | (point >> 18);
          out[at++] = 0x80 | ((point >> 12) & 0x3f);
          out[at++] = 0x80 | ((point >> 6) & 0x3f);
          out[at++] = 0x80 | (point & 0x3f);
          i += 1;
          continue;
        }
        c = 0xfffd;
      }
      out[at++] = 0xe0 | (c >> 12);
      out[at++] = 0x80 | ((c >> 6) & 0x3f);
      out[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at - from;
}

/**
 * A string column chunk's present rows as runs of equal values. The dictionary
 * is the runs' values in order (Parquet allows a value twice in it), so no
 * value is looked up: landing rows come in runs, and where they do not (the
 * customer source), every row is a value of its own anyway.
 */
class Runs {
  readonly values: string[] = [];
  private readonly lengths: number[] = [];

  add({ codes, runs, valid }: TextColumn, rows: number): void {
    if (valid !== null) {
      for (let r = 0; r < rows; r += 1) if (isSet(valid, r)) this.run(runs[codes[r]], 1);
      return;
    }
    // No nulls: a batch's codes count its runs up from 0, so a run ends where the code changes.
    let start = 0;
    for (let r = 1; r <= rows; r += 1) {
      if (r < rows && codes[r] === codes[start]) continue;
      this.run(runs[codes[start]], r - start);
      start = r;
    }
  }

  /** Parquet's RLE / bit-packed hybrid, RLE runs only: the bit width, then per run its length and its index, k (whole bytes). */
  encode(): Uint8Array {
    const { values, lengths } = this;
    const width = Math.max(1, 32 - Math.clz32(Math.max(0, values.length - 1)));
    const valueBytes = Math.ceil(width / 8);
    const out = new Uint8Array(1 + values.length * (5 + valueBytes));
    out[0] = width;
    let at = 1;
    for (let k = 0; k < values.length; k += 1) {
      for (let n = lengths[k] * 2; ; n = Math.floor(n / 0x80)) {
        if (n < 0x80) {
          out[at++] = n;
          break;
        }
        out[at++] = (n % 0x80) | 0x80;
      }
      for (let b = 0, v = k; b < valueBytes; b += 1, v >>>= 8) out[at++] = v & 0xff;
    }
    return out.subarray(0, at);
  }

  private run(value: string, length: number): void {
    const last = this.values.length - 1;
    if (last >= 0 && this.values[last] === value) this.lengths[last] += length;
    else {
      this.values.push(value);
      this.lengths.push(length);
    }
  }
}

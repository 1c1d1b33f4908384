import { closeSync, openSync, writeSync } from 'node:fs';
import type { Column } from '../tables';
import { BATCH_ROWS, type ColumnBatch, type NumberColumn, type TextColumn } from './column-batches';
import { type ThriftStruct, encodeStruct } from './thrift-compact';

/**
 * Accepted column batches written as an uncompressed Parquet file, so DuckDB
 * reads the landing rows natively, on its own threads, instead of the main
 * thread copying them into a table. The values are the reader's, bit for bit:
 * numbers are the batches' 8-byte little-endian values (PLAIN encoding is the
 * same layout), strings their UTF-8 (one dictionary per row group, the rows
 * as runs of dictionary indices), nulls the batches' validity bits (a set bit,
 * a present value, as Parquet's definition levels). Format:
 * https://parquet.apache.org/docs/file-format/.
 */

/** DuckDB's own row group size: its scan splits the work by row group. */
export const PARQUET_ROW_GROUP_ROWS = 60 * BATCH_ROWS;

const MAGIC = Buffer.from('PAR1');
// Parquet's enums (parquet.thrift).
const TYPE = { BIGINT: 2, DOUBLE: 5, VARCHAR: 6 } as const;
const REQUIRED = 0;
const OPTIONAL = 1;
const UTF8 = 0;
const PLAIN = 0;
const RLE = 3;
const RLE_DICTIONARY = 8;
const DATA_PAGE = 0;
const DICTIONARY_PAGE = 2;

/** A ULEB128 varint (the run headers of Parquet's RLE / bit-packed hybrid). */
function pushVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

const int32 = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32LE(n);
  return b;
};

const isSet = (valid: Uint8Array | null, r: number): boolean => valid === null || (valid[r >> 3] & (1 << (r & 7))) !== 0;

export class LandingParquetFile {
  private readonly fd: number;
  private offset = 0;
  private pending: Array<{ batch: ColumnBatch; rows: number }> = [];
  private pendingRows = 0;
  private readonly groups: ThriftStruct[] = [];
  private rows = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly columns: readonly Column[],
    private readonly rowGroupRows = PARQUET_ROW_GROUP_ROWS,
  ) {
    this.fd = openSync(path, 'w');
    this.write(MAGIC);
  }

  /** Takes `rows` rows of a batch (kept until its row group is written: do not reuse it). */
  append(batch: ColumnBatch, rows: number): void {
    this.pending.push({ batch, rows });
    this.pendingRows += rows;
    if (this.pendingRows >= this.rowGroupRows) this.writeRowGroup();
  }

  /** Writes the last row group and the footer; returns the rows written. */
  close(): number {
    try {
      this.writeRowGroup();
      const footer = encodeStruct([
        [1, { i32: 1 }],
        [2, { list: 'struct', of: [[[4, { binary: 'schema' }], [5, { i32: this.columns.length }]], ...this.columns.map((c) => this.schemaOf(c))] }],
        [3, { i64: this.rows }],
        [4, { list: 'struct', of: this.groups }],
        [6, { binary: 'stedi-lakehouse landing' }],
      ]);
      this.write(footer);
      this.write(int32(footer.length));
      this.write(MAGIC);
    } finally {
      this.discard();
    }
    return this.rows;
  }

  /** Closes the file, without a footer unless close() wrote it (a failed read: the file is never scanned). */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private schemaOf(c: Column): ThriftStruct {
    return [
      [1, { i32: TYPE[c.type] }],
      [3, { i32: c.required ? REQUIRED : OPTIONAL }],
      [4, { binary: c.name }],
      [6, c.type === 'VARCHAR' ? { i32: UTF8 } : undefined],
    ];
  }

  private write(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
    this.offset += bytes.length;
  }

  private writeRowGroup(): void {
    const rows = this.pendingRows;
    if (rows === 0) return;
    const start = this.offset;
    const chunks = this.columns.map((column, c) => {
      const from = this.offset;
      const levels = column.required ? [] : [this.definitionLevels(c, rows)];
      const text = column.type === 'VARCHAR';
      const dictionaryOffset = this.offset;
      const body = text ? this.dictionaryEncoded(c) : this.plainValues(c);
      if (text) this.page(DICTIONARY_PAGE, [body.dictionary!], [7, { struct: [[1, { i32: body.dictionarySize! }], [2, { i32: PLAIN }]] }]);
      const dataOffset = this.offset;
      const data = { struct: [[1, { i32: rows }], [2, { i32: text ? RLE_DICTIONARY : PLAIN }], [3, { i32: RLE }], [4, { i32: RLE }]] as ThriftStruct };
      this.page(DATA_PAGE, [...levels, ...body.values], [5, data]);
      const meta: ThriftStruct = [
        [1, { i32: TYPE[column.type] }],
        [2, { list: 'i32', of: text ? [PLAIN, RLE, RLE_DICTIONARY] : [PLAIN, RLE] }],
        [3, { list: 'binary', of: [column.name] }],
        [4, { i32: 0 }],
        [5, { i64: rows }],
        [6, { i64: this.offset - from }],
        [7, { i64: this.offset - from }],
        [9, { i64: dataOffset }],
        [11, text ? { i64: dictionaryOffset } : undefined],
      ];
      return [
        [2, { i64: from }],
        [3, { struct: meta }],
      ] as ThriftStruct;
    });
    this.groups.push([
      [1, { list: 'struct', of: chunks }],
      [2, { i64: this.offset - start }],
      [3, { i64: rows }],
    ]);
    this.rows += rows;
    this.pending = [];
    this.pendingRows = 0;
  }

  /** A page: its header, then its parts (uncompressed: both sizes are the parts' length). */
  private page(type: number, parts: Uint8Array[], header: [number, ThriftStruct[number][1]]): void {
    const size = parts.reduce((n, p) => n + p.length, 0);
    this.write(encodeStruct([[1, { i32: type }], [2, { i32: size }], [3, { i32: size }], header]));
    for (const part of parts) this.write(part);
  }

  /** An optional column's definition levels (1: present), the validity bits as one bit-packed run, length first. */
  private definitionLevels(c: number, rows: number): Buffer {
    const bytes = Math.ceil(rows / 8);
    const header: number[] = [];
    pushVarint(header, (bytes << 1) | 1);
    const out = Buffer.alloc(4 + header.length + bytes);
    out.writeInt32LE(header.length + bytes, 0);
    out.set(header, 4);
    let at = 4 + header.length;
    // Every batch but the last holds BATCH_ROWS rows, a whole number of bytes.
    for (const { batch, rows: n } of this.pending) {
      const { valid } = batch[c];
      const length = Math.ceil(n / 8);
      if (valid) out.set(valid.subarray(0, length), at);
      else out.fill(0xff, at, at + length);
      at += length;
    }
    return out;
  }

  /** A number column's present values, 8 bytes each, as the batches hold them. */
  private plainValues(c: number): { values: Uint8Array[]; dictionary?: undefined; dictionarySize?: undefined } {
    const values: Uint8Array[] = [];
    for (const { batch, rows } of this.pending) {
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
    return { values };
  }

  /** A string column's dictionary page (PLAIN: length, UTF-8) and its present rows as RLE runs of dictionary indices. */
  private dictionaryEncoded(c: number): { values: Uint8Array[]; dictionary: Buffer; dictionarySize: number } {
    const runs = new Runs();
    for (const { batch, rows } of this.pending) runs.add(batch[c] as TextColumn, rows);
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

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
      const words = new Uint8Array(column.values, 0, rows * 8);
      if (!column.valid) values.push(words);
      else {
        const present = new Uint8Array(rows * 8);
        let n = 0;
        for (let r = 0; r < rows; r += 1) if (isSet(column.valid, r)) present.set(words.subarray(r * 8, r * 8 + 8), 8 * n++);
        values.push(present.subarray(0, n * 8));
      }
    }
    return { values };
  }

  /** A string column's dictionary page (PLAIN: length, UTF-8) and its present rows as runs of dictionary indices. */
  private dictionaryEncoded(c: number): { values: Uint8Array[]; dictionary: Buffer; dictionarySize: number } {
    const index = new Map<string, number>();
    const runValues: number[] = [];
    const runLengths: number[] = [];
    let current = -1;
    for (const { batch, rows } of this.pending) {
      const { codes, runs, valid } = batch[c] as TextColumn;
      const local = runs.map((value) => {
        let k = index.get(value);
        if (k === undefined) index.set(value, (k = index.size));
        return k;
      });
      for (let r = 0; r < rows; r += 1) {
        if (!isSet(valid, r)) continue;
        const k = local[codes[r]];
        if (k === current) runLengths[runLengths.length - 1] += 1;
        else {
          runValues.push(k);
          runLengths.push(1);
          current = k;
        }
      }
    }
    const strings = [...index.keys()].map((value) => Buffer.from(value, 'utf8'));
    const dictionary = Buffer.allocUnsafe(strings.reduce((n, s) => n + 4 + s.length, 0));
    let at = 0;
    for (const s of strings) {
      dictionary.writeUInt32LE(s.length, at);
      dictionary.set(s, at + 4);
      at += 4 + s.length;
    }
    // Indices as RLE runs, each value in the whole bytes of the bit width.
    const width = Math.max(1, 32 - Math.clz32(Math.max(0, index.size - 1)));
    const valueBytes = Math.ceil(width / 8);
    const encoded: number[] = [width];
    for (let k = 0; k < runValues.length; k += 1) {
      pushVarint(encoded, runLengths[k] * 2);
      for (let b = 0, v = runValues[k]; b < valueBytes; b += 1, v = Math.floor(v / 256)) encoded.push(v & 0xff);
    }
    return { values: [Uint8Array.from(encoded)], dictionary, dictionarySize: strings.length };
  }
}

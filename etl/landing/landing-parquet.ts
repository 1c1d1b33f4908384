import { closeSync, openSync, writeSync } from 'node:fs';
import type { Column } from '../tables';
import { BATCH_ROWS, type ColumnBatch } from './column-batches';
import { type Pending, definitionLevels, dictionaryEncoded, plainValues } from './parquet-columns';
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
// The batches hold numbers in the platform's byte order, which PLAIN must be: little-endian.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// Parquet's enums (parquet.thrift): physical types by column type, repetition, encodings, page types.
const TYPE = { BIGINT: 2, DOUBLE: 5, VARCHAR: 6 } as const;
const [REQUIRED, OPTIONAL] = [0, 1];
const UTF8 = 0;
const [PLAIN, RLE, RLE_DICTIONARY] = [0, 3, 8];
const [DATA_PAGE, DICTIONARY_PAGE] = [0, 2];

const int32 = (n: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32LE(n);
  return b;
};

export class LandingParquetFile {
  private readonly fd: number;
  private offset = 0;
  private pending: Pending[] = [];
  private pendingRows = 0;
  private readonly groups: ThriftStruct[] = [];
  private rows = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly columns: readonly Column[],
    private readonly rowGroupRows = PARQUET_ROW_GROUP_ROWS,
  ) {
    if (!LITTLE_ENDIAN) throw new Error('landing rows are written as Parquet on little-endian platforms only');
    this.fd = openSync(path, 'w');
    try {
      this.write(MAGIC);
    } catch (error) {
      // A disk full at the first bytes: no object holds the descriptor to discard it, and the removed file's space stayed taken.
      this.discard();
      throw error;
    }
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
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
    } catch (error) {
      // A write's error names no file: this one, so a full disk or a file size limit is said of it.
      if (error instanceof Error && !(error as NodeJS.ErrnoException).path) Object.assign(error, { path: this.path });
      throw error;
    }
    this.offset += bytes.length;
  }

  private writeRowGroup(): void {
    const rows = this.pendingRows;
    if (rows === 0) return;
    const start = this.offset;
    const chunks = this.columns.map((column, c) => {
      const from = this.offset;
      const text = column.type === 'VARCHAR';
      const levels = column.required ? [] : [definitionLevels(this.pending, c, rows)];
      let values: Uint8Array[];
      if (text) {
        const encoded = dictionaryEncoded(this.pending, c);
        this.page(DICTIONARY_PAGE, [encoded.dictionary], [7, { struct: [[1, { i32: encoded.dictionarySize }], [2, { i32: PLAIN }]] }]);
        values = encoded.values;
      } else values = plainValues(this.pending, c);
      const dataOffset = this.offset;
      const data = { struct: [[1, { i32: rows }], [2, { i32: text ? RLE_DICTIONARY : PLAIN }], [3, { i32: RLE }], [4, { i32: RLE }]] as ThriftStruct };
      this.page(DATA_PAGE, [...levels, ...values], [5, data]);
      const meta: ThriftStruct = [
        [1, { i32: TYPE[column.type] }],
        [2, { list: 'i32', of: text ? [PLAIN, RLE, RLE_DICTIONARY] : [PLAIN, RLE] }],
        [3, { list: 'binary', of: [column.name] }],
        [4, { i32: 0 }],
        [5, { i64: rows }],
        [6, { i64: this.offset - from }],
        [7, { i64: this.offset - from }],
        [9, { i64: dataOffset }],
        [11, text ? { i64: from } : undefined],
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
}

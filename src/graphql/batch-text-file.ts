import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { type FileHandle, open, rename, writeFile } from 'node:fs/promises';
import { pageBuffer } from './page-buffers';

/**
 * A version's training set as the JSON text of each column's values, in key
 * order, on disk beside the version (prepared-batch-text.ts writes it): one
 * file per column holding each value's text followed by a comma, and a rows
 * file holding, for every row and one past the last, where each column's
 * value starts (six 32-bit offsets a row). A batch page of rows [i, j) is then
 * a slice of each column file. The files are read with pread, never held in
 * memory: the page cache holds them once for every worker.
 */

const FORMAT = 1;
const OFFSET_BYTES = 4;
/** A column file's offsets are 32-bit: a larger column is not prepared. */
export const MAX_COLUMN_BYTES = 2 ** 32 - 1;

export interface BatchTextMeta {
  format: number;
  version: string;
  rows: number;
  columns: string[];
  /** Every value's text is ASCII (read as latin1, one byte a character). */
  ascii: boolean;
  /** Digest of the version's serials and rows per serial (prepared-batch-text.ts's indexDigest), checked against the serving index. */
  digest: string;
}

const files = (base: string) => ({ meta: `${base}.batch.json`, rows: `${base}.batch.rows`, column: (c: number) => `${base}.batch.${c}` });

/** Writes the files chunk by chunk (rows in key order); the meta file, written last by rename, marks them complete. */
export class BatchTextWriter {
  private readonly offsets: number[];
  private rows = 0;
  private ascii = true;

  private constructor(
    private readonly base: string,
    private readonly columns: readonly string[],
    private readonly handles: FileHandle[],
    private readonly rowsHandle: FileHandle,
  ) {
    this.offsets = columns.map(() => 0);
  }

  static async create(base: string, columns: readonly string[]): Promise<BatchTextWriter> {
    const f = files(base);
    const handles: FileHandle[] = [];
    try {
      for (let c = 0; c < columns.length; c += 1) handles.push(await open(f.column(c), 'w'));
      return new BatchTextWriter(base, columns, handles, await open(f.rows, 'w'));
    } catch (error) {
      for (const h of handles) await h.close();
      throw error;
    }
  }

  /** Appends rows: `texts[c][r]` is row r's JSON text in column c. False (nothing written) when a column would outgrow its offsets. */
  async append(texts: readonly (readonly string[])[]): Promise<boolean> {
    const n = texts[0]?.length ?? 0;
    const width = this.columns.length;
    const offsets = new Uint32Array(n * width);
    const chunks: string[] = [];
    for (let c = 0; c < width; c += 1) {
      const values = texts[c];
      let at = this.offsets[c];
      for (let r = 0; r < n; r += 1) {
        offsets[r * width + c] = at;
        const text = values[r];
        const bytes = ASCII.test(text) ? text.length : ((this.ascii = false), Buffer.byteLength(text));
        at += bytes + 1;
        if (at > MAX_COLUMN_BYTES) return false;
      }
      chunks.push(n === 0 ? '' : `${values.join(',')},`);
    }
    for (let c = 0; c < width; c += 1) {
      await this.handles[c].write(chunks[c]);
      this.offsets[c] += Buffer.byteLength(chunks[c]);
    }
    await this.rowsHandle.write(new Uint8Array(offsets.buffer));
    this.rows += n;
    return true;
  }

  /** Writes the row past the last and the meta file: the files are complete. */
  async finish(version: string, digest: string): Promise<void> {
    await this.rowsHandle.write(new Uint8Array(Uint32Array.from(this.offsets).buffer));
    await this.close();
    const meta: BatchTextMeta = { format: FORMAT, version, rows: this.rows, columns: [...this.columns], ascii: this.ascii, digest };
    const f = files(this.base);
    await writeFile(`${f.meta}.${process.pid}.tmp`, JSON.stringify(meta));
    await rename(`${f.meta}.${process.pid}.tmp`, f.meta);
  }

  async close(): Promise<void> {
    for (const h of [...this.handles, this.rowsHandle]) await h.close().catch(() => undefined);
  }
}

const ASCII = /^[\x00-\x7f]*$/;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/** The complete files of a version, open for reading; undefined when they are not there (or not this format). */
export class BatchTextFile {
  private constructor(
    readonly meta: BatchTextMeta,
    private readonly fds: number[],
    private readonly rowsFd: number,
  ) {}

  static open(base: string, version: string, columns: readonly string[]): BatchTextFile | undefined {
    const f = files(base);
    let meta: BatchTextMeta;
    try {
      meta = JSON.parse(readFileSync(f.meta, 'utf8')) as BatchTextMeta;
    } catch {
      return undefined;
    }
    if (meta.format !== FORMAT || meta.version !== version || meta.columns.join(',') !== columns.join(',')) return undefined;
    const fds: number[] = [];
    try {
      for (let c = 0; c < columns.length; c += 1) fds.push(openSync(f.column(c), 'r'));
      return new BatchTextFile(meta, fds, openSync(f.rows, 'r'));
    } catch {
      for (const fd of fds) closeSync(fd);
      return undefined;
    }
  }

  /** Where each column's value of row `r` starts (r = rows: where each column ends). */
  offsetsOf(r: number): Uint32Array {
    const width = this.fds.length;
    const bytes = Buffer.allocUnsafe(width * OFFSET_BYTES);
    if (readSync(this.rowsFd, bytes, 0, bytes.length, r * width * OFFSET_BYTES) !== bytes.length) throw new Error(`batch text rows file ends before row ${r}`);
    return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }

  /** The values' texts of column `c` from offset `start` to `end` (offsetsOf of two rows), joined by commas: no trailing comma. */
  text(c: number, start: number, end: number): string {
    if (end <= start) return '';
    const length = end - start - 1;
    const bytes = Buffer.allocUnsafe(length);
    if (readSync(this.fds[c], bytes, 0, length, start) !== length) throw new Error(`batch text column ${c} ends before byte ${end}`);
    return bytes.toString(this.meta.ascii ? 'latin1' : 'utf8', 0, length);
  }

  /** Each column's JSON list of the rows between two offsetsOf (brackets around its values' texts), as bytes of one buffer. */
  lists(start: Uint32Array, end: Uint32Array): Buffer[] {
    const sizes = this.fds.map((_, c) => Math.max(end[c] - start[c] - 1, 0) + 2);
    const bytes = pageBuffer(sizes.reduce((a, b) => a + b, 0));
    const lists: Buffer[] = [];
    let at = 0;
    for (let c = 0; c < this.fds.length; c += 1) {
      const length = sizes[c] - 2;
      bytes[at] = OPEN;
      if (length > 0 && readSync(this.fds[c], bytes, at + 1, length, start[c]) !== length) throw new Error(`batch text column ${c} ends before byte ${end[c]}`);
      bytes[at + 1 + length] = CLOSE;
      lists.push(bytes.subarray(at, at + sizes[c]));
      at += sizes[c];
    }
    return lists;
  }

  close(): void {
    for (const fd of [...this.fds, this.rowsFd]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

/** The files' names (lock and meta included) for `base`: for tests and the preparer. */
export const batchTextFiles = (base: string) => ({ ...files(base), lock: `${base}.batch.lock` });

import { type FileHandle, open, rename, unlink, writeFile } from 'node:fs/promises';
import type { ColumnTextWriter } from '../derived-column-text';
import { BlockChecksWriter } from './column-text-checks';
import { COLUMN_TEXT_FORMAT, columnTextFileNames } from './column-text-file-names';

/** A column file's offsets are 32-bit: a larger column is not written. */
export const MAX_COLUMN_BYTES = 2 ** 32 - 1;
const ASCII = /^[\x00-\x7f]*$/;
const tmp = (name: string): string => `${name}.tmp`;

/**
 * Writes a set (column-text-files.ts) under temporary names while holding
 * its lock (one writer at a time, so the names are fixed), then renames the
 * files into place and the meta last: a reader that has older files open
 * keeps reading them whole, and a new reader finds a complete set or none.
 */
export class ColumnTextFileWriter implements ColumnTextWriter {
  private readonly offsets: number[];
  /** Each file's block checks: the columns', then the rows file's. */
  private readonly checks: BlockChecksWriter[];
  private rows = 0;
  private done = false;

  private constructor(
    private readonly base: string,
    private readonly version: string,
    private readonly columns: readonly string[],
    private readonly handles: FileHandle[],
    private readonly release: () => Promise<void>,
  ) {
    this.offsets = columns.map(() => 0);
    this.checks = handles.map(() => new BlockChecksWriter());
  }

  static async create(base: string, version: string, columns: readonly string[], release: () => Promise<void>): Promise<ColumnTextFileWriter> {
    const names = columnTextFileNames(base);
    const handles: FileHandle[] = [];
    try {
      for (let c = 0; c < columns.length; c += 1) handles.push(await open(tmp(names.column(c)), 'w'));
      handles.push(await open(tmp(names.rows), 'w'));
      return new ColumnTextFileWriter(base, version, columns, handles, release);
    } catch (error) {
      for (const h of handles) await h.close().catch(() => undefined);
      throw error;
    }
  }

  async append(texts: readonly (readonly string[])[]): Promise<boolean> {
    const width = this.columns.length;
    const n = texts[0]?.length ?? 0;
    if (texts.length !== width || texts.some((values) => values.length !== n)) throw new Error(`column text append: expected ${width} columns of ${n} rows`);
    const offsets = new Uint32Array(n * width);
    const chunks: string[] = [];
    for (let c = 0; c < width; c += 1) {
      const values = texts[c];
      let at = this.offsets[c];
      for (let r = 0; r < n; r += 1) {
        offsets[r * width + c] = at;
        const text = values[r];
        at += (ASCII.test(text) ? text.length : Buffer.byteLength(text)) + 1;
        if (at > MAX_COLUMN_BYTES) return false;
      }
      chunks.push(n === 0 ? '' : `${values.join(',')},`);
    }
    for (let c = 0; c < width; c += 1) {
      const bytes = Buffer.from(chunks[c]);
      await this.write(c, bytes);
      this.offsets[c] += bytes.length;
    }
    await this.write(width, new Uint8Array(offsets.buffer));
    this.rows += n;
    return true;
  }

  async finish(digest: string): Promise<void> {
    if (this.done) throw new Error('column text writer already finished or abandoned');
    const names = columnTextFileNames(this.base);
    let complete = false;
    try {
      await this.write(this.columns.length, new Uint8Array(Uint32Array.from(this.offsets).buffer));
      await this.closeFiles();
      const checks = this.checks.flatMap((file) => file.finish());
      await writeFile(tmp(names.checks), new Uint8Array(Uint32Array.from(checks).buffer));
      for (let c = 0; c < this.columns.length; c += 1) await rename(tmp(names.column(c)), names.column(c));
      await rename(tmp(names.rows), names.rows);
      await rename(tmp(names.checks), names.checks);
      const meta = { format: COLUMN_TEXT_FORMAT, version: this.version, rows: this.rows, columns: [...this.columns], digest };
      await writeFile(tmp(names.meta), JSON.stringify(meta));
      await rename(tmp(names.meta), names.meta);
      complete = true;
    } finally {
      if (!complete) {
        // A write that failed (a full disk) left them open: closed here, since abandon() after this does nothing.
        await this.closeFiles();
        await this.removeTemporary();
      }
      this.done = true;
      await this.release();
    }
  }

  async abandon(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.closeFiles();
    await this.removeTemporary();
    await this.release();
  }

  private async write(file: number, bytes: Uint8Array): Promise<void> {
    await this.handles[file].write(bytes);
    this.checks[file].update(bytes);
  }

  private async closeFiles(): Promise<void> {
    for (const h of this.handles) await h.close().catch(() => undefined);
  }

  private async removeTemporary(): Promise<void> {
    const names = columnTextFileNames(this.base);
    for (const name of [...this.columns.map((_, c) => names.column(c)), names.rows, names.checks, names.meta]) await unlink(tmp(name)).catch(() => undefined);
  }
}

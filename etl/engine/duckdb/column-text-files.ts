import { closeSync, existsSync, fstatSync, readFileSync, rmSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ColumnTextMeta, ColumnTextReader, ColumnTextSpan, ColumnTextWriter, DerivedColumnText } from '../derived-column-text';
import { acquireLockInFolder, BuildLockedError, LockFolderGoneError } from './build-lock';
import { BlockChecks, ColumnTextDamagedError } from './column-text-checks';
import { COLUMN_TEXT_FORMAT, columnTextFileNames, OFFSET_BYTES } from './column-text-file-names';
import { ColumnTextFileWriter } from './column-text-file-writer';
import { openRegularFileSync } from './regular-file';

/**
 * A version's column text as files beside its table (`<table>.batch.*` in
 * the version's folder, so they go with it): one file per column holding
 * each value's text followed by a comma, a rows file holding, for every row
 * and one past the last, where each column's value starts (32-bit offsets,
 * one per column), and a meta file, written last by rename, that makes the
 * set complete. Rows [i, j) of a column are one slice of its file. The files
 * are read with positioned reads, never held in memory: the page cache holds
 * them once for every process. A set whose files are shorter or longer than
 * its meta says is not opened (the server then reads the engine).
 */

export class ColumnTextFiles implements DerivedColumnText {
  constructor(
    private readonly base: string,
    private readonly version: string,
  ) {}

  open(columns: readonly string[]): ColumnTextReader | undefined {
    return ColumnTextFileReader.open(this.base, this.version, columns);
  }

  /**
   * Undefined when another process writes the set, it is complete, or the version's folder is gone (it expired, even
   * as this starts): the folder is never made here, or it held a withdrawn customer's serials past the version's removal.
   */
  async startWrite(columns: readonly string[]): Promise<ColumnTextWriter | undefined> {
    const names = columnTextFileNames(this.base);
    let release: () => Promise<void>;
    try {
      ({ release } = await acquireLockInFolder(names.lock, `column text of ${this.version}`));
    } catch (error) {
      if (error instanceof BuildLockedError || error instanceof LockFolderGoneError) return undefined;
      throw error;
    }
    try {
      const complete = this.open(columns);
      if (complete) {
        complete.close();
        await release();
        return undefined;
      }
      // A damaged set's meta goes first: no reader opens its files while they are replaced.
      await unlink(names.meta).catch(() => undefined);
      return await ColumnTextFileWriter.create(this.base, this.version, columns, release);
    } catch (error) {
      await release();
      // Removed since the lock was taken: its files can no longer be made.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dirname(this.base))) return undefined;
      throw error;
    }
  }
}

class ColumnTextFileReader implements ColumnTextReader {
  private closed = false;

  private constructor(
    readonly meta: ColumnTextMeta,
    private readonly fds: number[],
    private readonly rowsFd: number,
    private readonly metaPath: string,
    /** Every read is checked against them, the one that finds the set whole at open too. */
    private readonly checks: BlockChecks,
  ) {}

  static open(base: string, version: string, columns: readonly string[]): ColumnTextFileReader | undefined {
    const names = columnTextFileNames(base);
    let meta: ColumnTextMeta & { format?: number };
    try {
      meta = JSON.parse(readWhole(names.meta).toString('utf8')) as ColumnTextMeta & { format?: number };
    } catch {
      return undefined;
    }
    const fits = meta.format === COLUMN_TEXT_FORMAT && meta.version === version && Number.isSafeInteger(meta.rows) && meta.rows >= 0;
    if (!fits || !Array.isArray(meta.columns) || meta.columns.join('\n') !== columns.join('\n') || typeof meta.digest !== 'string') return undefined;
    const fds: number[] = [];
    try {
      for (let c = 0; c < columns.length; c += 1) fds.push(openRegularFileSync(names.column(c)));
      fds.push(openRegularFileSync(names.rows));
    } catch {
      closeAll(fds);
      return undefined;
    }
    const checks = checksOf(names.checks, fds);
    if (!checks) {
      closeAll(fds);
      return undefined;
    }
    const reader = new ColumnTextFileReader({ version, rows: meta.rows, columns: [...columns], digest: meta.digest }, fds.slice(0, -1), fds[fds.length - 1], names.meta, checks);
    if (!reader.whole()) {
      reader.close();
      return undefined;
    }
    return reader;
  }

  /** Every file exactly as long as the meta and the last row's offsets say (a short or damaged set is not read). */
  private whole(): boolean {
    try {
      if (fstatSync(this.rowsFd).size !== (this.meta.rows + 1) * this.fds.length * OFFSET_BYTES) return false;
      const end = this.offsetsOf(this.meta.rows);
      return this.fds.every((fd, c) => fstatSync(fd).size === end[c]);
    } catch {
      return false;
    }
  }

  private offsetsOf(row: number): Uint32Array {
    // Closed (its version expired): its descriptors may already name other files.
    if (this.closed) throw new Error('column text reader is closed');
    const width = this.fds.length;
    const offsets = new Uint32Array(width);
    const bytes = new Uint8Array(offsets.buffer);
    this.checkedRead(width, this.rowsFd, bytes, 0, row * width * OFFSET_BYTES, bytes.length);
    return offsets;
  }

  spans(from: number, to: number): ColumnTextSpan[] {
    if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && 0 <= from && from <= to && to <= this.meta.rows)) throw new RangeError(`rows ${from} to ${to} are not within the ${this.meta.rows} rows of the column text`);
    const start = this.offsetsOf(from);
    const end = from === to ? start : this.offsetsOf(to);
    // Each value's text is followed by a comma: the span leaves out the last one.
    return Array.from(start, (at, c) => ({ start: at, length: Math.max(end[c] - at - 1, 0) }));
  }

  read(column: number, span: ColumnTextSpan, into: Uint8Array, at: number): void {
    if (span.length === 0) return;
    if (this.closed) throw new Error('column text reader is closed');
    this.checkedRead(column, this.fds[column], into, at, span.start, span.length);
  }

  /** Every read is checked (the bytes it returns); one that fails makes the set incomplete (its meta goes), so the next preparation writes it anew. */
  private checkedRead(file: number, fd: number, into: Uint8Array, at: number, start: number, length: number): void {
    try {
      this.checks.read(file, fd, into, at, start, length);
    } catch (error) {
      if (error instanceof ColumnTextDamagedError) rmSync(this.metaPath, { force: true });
      throw error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeAll([...this.fds, this.rowsFd]);
  }
}

/** The set's block checks, for files open as `fds` (the columns', then the rows file); undefined when they are missing or do not fit the files. */
function checksOf(path: string, fds: readonly number[]): BlockChecks | undefined {
  try {
    return BlockChecks.from(readWhole(path), fds.map((fd) => fstatSync(fd).size));
  } catch {
    return undefined;
  }
}

/** A set's small file (meta, checks), only when it is a regular file: anything else makes the set incomplete. */
function readWhole(path: string): Buffer {
  const fd = openRegularFileSync(path);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function closeAll(fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

import { type WriteStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';

/**
 * Newline-delimited JSON written as a numbered series of files of at most
 * `maxLines` lines each (`<prefix>-0001.json`, ...). Lines are buffered in
 * small chunks and written with backpressure, so memory stays bounded
 * however many lines go through.
 */

/** Buffered text is handed to the file once it reaches this size. */
const CHUNK_CHARS = 256 * 1024;

interface Segment {
  text: string;
  /** The segment completes its file: close it, the next line starts a new one. */
  endsFile: boolean;
}

export class LandingFileWriter {
  readonly files: string[] = [];
  lines = 0;
  private stream?: WriteStream;
  private failure?: Error;
  private readonly sealed: Segment[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private linesInFile = 0;

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly maxLines: number,
  ) {}

  /** Buffers one line; call flush() when `wantsFlush` to write it out. */
  push(line: string): void {
    if (this.linesInFile === this.maxLines) {
      this.sealed.push({ text: this.takePending(), endsFile: true });
      this.linesInFile = 0;
    }
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    this.linesInFile += 1;
    this.lines += 1;
  }

  get wantsFlush(): boolean {
    return this.sealed.length > 0 || this.pendingChars >= CHUNK_CHARS;
  }

  /** Writes everything buffered, waiting for the disk when the stream is full. */
  async flush(): Promise<void> {
    for (const segment of this.sealed.splice(0)) {
      await this.write(segment.text);
      if (segment.endsFile) await this.closeFile();
    }
    if (this.pending.length > 0) await this.write(this.takePending());
  }

  /** Flushes and closes the last file; returns every file written, in order. */
  async close(): Promise<string[]> {
    await this.flush();
    await this.closeFile();
    return this.files;
  }

  /** Closes the open file without flushing, after a failure elsewhere. */
  async abort(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await finished(stream.end()).catch(() => undefined);
  }

  private takePending(): string {
    const text = this.pending.length > 0 ? `${this.pending.join('\n')}\n` : '';
    this.pending = [];
    this.pendingChars = 0;
    return text;
  }

  private async write(text: string): Promise<void> {
    if (text === '') return;
    const stream = this.stream ?? this.openFile();
    this.throwIfFailed();
    if (!stream.write(text)) await once(stream, 'drain');
    this.throwIfFailed();
  }

  private openFile(): WriteStream {
    const file = join(this.dir, `${this.prefix}-${String(this.files.length + 1).padStart(4, '0')}.json`);
    this.files.push(file);
    const stream = createWriteStream(file);
    // Recorded here and rethrown by the next write, so an I/O error never goes unhandled.
    stream.on('error', (error) => (this.failure ??= error));
    this.stream = stream;
    return stream;
  }

  private async closeFile(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return;
    stream.end();
    await finished(stream).catch((error: Error) => (this.failure ??= error));
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { LINE_FEED, isJsonWhitespace } from './landing-rules';

/**
 * A landing file streamed as blocks of whole lines, for the landing reader
 * (landing-reader.ts): chunks read into one reused buffer, a partial line
 * carried to the next, and a line too long to hold streamed by in parts.
 */

/** Bytes read from a file at a time. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * One read buffer for every file of a readLanding call, grown when a partial
 * line needs more room: nothing keeps a block past block() (the values taken
 * from it are copies), and a 4 MiB buffer per read cost collections.
 */
export class ReadBuffer {
  private buffer = Buffer.allocUnsafe(0);

  /** At least `size` bytes; the same buffer while it is large enough. */
  take(size: number): Buffer {
    if (this.buffer.length < size) this.buffer = Buffer.allocUnsafe(Math.max(size, CHUNK_BYTES + SPARE_BYTES));
    return this.buffer;
  }
}

/** Room beside a chunk for the partial line carried from the last one. */
const SPARE_BYTES = 64 * 1024;

/** A line that outgrows every chunk, seen in parts as it streams by, then ended once its end is found. */
export interface Overlong {
  /** The line's bytes, in order (each part is gone after the call). */
  part(bytes: Buffer): void;
  end(prefix: Buffer, allBlank: boolean): void;
}

/**
 * Streams `file` as blocks of whole lines. A line that outgrows every chunk is
 * not held: its first `maxLineBytes` go to `overlong` once its end is found.
 * Only the bytes the file held when opened are read: one appended to while it is read (a writer still at work)
 * kept the build chasing it for ever, filling the lake with its copy; what is appended is the next build's.
 */
export async function forEachBlock(file: string, reads: ReadBuffer, maxLineBytes: number, block: (bytes: Buffer) => void, overlong: Overlong): Promise<void> {
  // Opened without blocking, then checked: a file replaced by a pipe after the build listed it (listing refuses one)
  // blocked the open for ever, the build holding the lake's lock, and no signal stopped it.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: stats.isDirectory() ? 'EISDIR' : 'ENOTREG' });
    let left = stats.size;
    // The partial line left from the last chunk is at the front of the buffer, `carried` bytes, and the next chunk is read after it.
    let chunk = reads.take(CHUNK_BYTES);
    let carried = 0;
    let skipping: { prefix: Buffer; allBlank: boolean } | undefined;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, carried, Math.min(CHUNK_BYTES, left), null);
      if (bytesRead === 0) break;
      left -= bytesRead;
      let whole = chunk.subarray(0, carried + bytesRead);
      if (skipping) {
        const lf = whole.indexOf(LINE_FEED);
        const part = lf < 0 ? whole : whole.subarray(0, lf);
        skipping.allBlank &&= part.every(isJsonWhitespace);
        overlong.part(part);
        if (lf < 0) continue;
        overlong.end(skipping.prefix, skipping.allBlank);
        skipping = undefined;
        whole = whole.subarray(lf + 1);
      }
      const last = whole.lastIndexOf(LINE_FEED);
      if (last >= 0) block(whole.subarray(0, last));
      let carry = whole.subarray(last + 1);
      if (carry.length > maxLineBytes + 1) {
        skipping = { prefix: Buffer.from(carry.subarray(0, maxLineBytes)), allBlank: carry.every(isJsonWhitespace) };
        overlong.part(carry);
        carry = carry.subarray(0, 0);
      }
      const next = reads.take(carry.length + CHUNK_BYTES);
      if (next === chunk) chunk.copyWithin(0, carry.byteOffset - chunk.byteOffset, carry.byteOffset - chunk.byteOffset + carry.length);
      else carry.copy(next, 0);
      chunk = next;
      carried = carry.length;
    }
    if (skipping) overlong.end(skipping.prefix, skipping.allBlank);
    else if (carried > 0) block(chunk.subarray(0, carried));
  } finally {
    await handle.close();
  }
}

import { readvSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * A CRC-32 of every block of a column text set's files, written beside them
 * (`.batch.crc`) and checked on every read: the files hold the very values a
 * batch page sends, so a byte changed on disk since they were written must
 * fail the read (the page then comes from the engine) rather than be served.
 * A read takes the whole blocks around its bytes in one positioned read and
 * checks those very bytes: a check remembered from an earlier read says
 * nothing about the bytes read now (a file can change in place at any time).
 */
export const CHECK_BLOCK_BYTES = 1 << 13;

const blocksOf = (bytes: number): number => Math.ceil(bytes / CHECK_BLOCK_BYTES);

/** A file's block checks as it is written, one append at a time. */
export class BlockChecksWriter {
  private readonly checks: number[] = [];
  private crc = 0;
  private filled = 0;

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(CHECK_BLOCK_BYTES - this.filled, bytes.length - at);
      this.crc = crc32(bytes.subarray(at, at + take), this.crc);
      this.filled += take;
      at += take;
      if (this.filled === CHECK_BLOCK_BYTES) this.endBlock();
    }
  }

  /** Every block's check, the last (partial) one included. */
  finish(): number[] {
    if (this.filled > 0) this.endBlock();
    return this.checks;
  }

  private endBlock(): void {
    this.checks.push(this.crc >>> 0);
    this.crc = 0;
    this.filled = 0;
  }
}

/** Thrown when bytes read do not hold what was written (a changed byte, a file cut short): the set is damaged. */
export class ColumnTextDamagedError extends Error {}

/** The checks of a set's files (`sizes[f]` bytes each, in the order written), read from the checks file's bytes. */
export class BlockChecks {
  private readonly first: number[] = [];
  /** The bytes of a read's first and last blocks outside what the caller asked for. */
  private readonly head = Buffer.allocUnsafe(CHECK_BLOCK_BYTES);
  private readonly tail = Buffer.allocUnsafe(CHECK_BLOCK_BYTES);

  private constructor(
    private readonly sizes: readonly number[],
    private readonly checks: Uint32Array,
  ) {
    let at = 0;
    for (const size of sizes) {
      this.first.push(at);
      at += blocksOf(size);
    }
  }

  /** Undefined when `bytes` do not hold one check per block of each file (a set then is not opened). */
  static from(bytes: Uint8Array, sizes: readonly number[]): BlockChecks | undefined {
    const count = sizes.reduce((n, size) => n + blocksOf(size), 0);
    if (bytes.length !== count * 4) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const checks = Uint32Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
    return new BlockChecks(sizes, checks);
  }

  /**
   * Reads bytes [start, start + length) of file `file` (open as `fd`) into `into` at `at`, with the rest of
   * the blocks they touch, in one positioned read; throws ColumnTextDamagedError unless every one of those
   * blocks holds what was written.
   */
  read(file: number, fd: number, into: Uint8Array, at: number, start: number, length: number): void {
    if (length === 0) return;
    const end = start + length;
    const firstBlock = Math.floor(start / CHECK_BLOCK_BYTES);
    const lastBlock = Math.floor((end - 1) / CHECK_BLOCK_BYTES);
    const from = firstBlock * CHECK_BLOCK_BYTES;
    const to = Math.min((lastBlock + 1) * CHECK_BLOCK_BYTES, this.sizes[file]);
    if (end > to) throw new ColumnTextDamagedError(`column text file ${file} ends before byte ${end}`);
    const parts = [this.head.subarray(0, start - from), into.subarray(at, at + length), this.tail.subarray(0, to - end)];
    const wanted = to - from;
    if (readvSync(fd, parts.filter((part) => part.length > 0), from) !== wanted) throw new ColumnTextDamagedError(`column text file ${file} ends before byte ${end}`);
    let part = 0;
    let offset = 0;
    for (let block = firstBlock; block <= lastBlock; block += 1) {
      let crc = 0;
      // A block's bytes may lie in two or three of the parts: its check is taken across them.
      for (let left = Math.min(CHECK_BLOCK_BYTES, to - block * CHECK_BLOCK_BYTES); left > 0; ) {
        while (offset === parts[part].length) {
          part += 1;
          offset = 0;
        }
        const take = Math.min(left, parts[part].length - offset);
        crc = crc32(parts[part].subarray(offset, offset + take), crc);
        offset += take;
        left -= take;
      }
      if (crc >>> 0 !== this.checks[this.first[file] + block]) {
        const blockStart = block * CHECK_BLOCK_BYTES;
        throw new ColumnTextDamagedError(`column text file ${file} fails its check at block ${block} (bytes ${blockStart} to ${Math.min(blockStart + CHECK_BLOCK_BYTES, this.sizes[file])}): it changed since it was written`);
      }
    }
  }
}

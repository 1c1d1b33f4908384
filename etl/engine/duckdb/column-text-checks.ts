import { readSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * A CRC-32 of every block of a column text set's files, written beside them
 * (`.batch.crc`) and checked on a block's first read in each process: the
 * files hold the very values a batch page sends, so a byte changed on disk
 * since they were written must fail the read (the page then comes from the
 * engine) rather than be served. A block checked once is not checked again.
 */
export const CHECK_BLOCK_BYTES = 1 << 16;

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

/** The checks of a set's files (`sizes[f]` bytes each, in the order written), read from the checks file's bytes. */
export class BlockChecks {
  private readonly first: number[] = [];
  private readonly verified: Uint8Array;
  private readonly scratch = Buffer.allocUnsafe(CHECK_BLOCK_BYTES);

  private constructor(
    private readonly sizes: readonly number[],
    private readonly checks: Uint32Array,
  ) {
    let at = 0;
    for (const size of sizes) {
      this.first.push(at);
      at += blocksOf(size);
    }
    this.verified = new Uint8Array(at);
  }

  /** Undefined when `bytes` do not hold one check per block of each file (a set then is not opened). */
  static from(bytes: Uint8Array, sizes: readonly number[]): BlockChecks | undefined {
    const count = sizes.reduce((n, size) => n + blocksOf(size), 0);
    if (bytes.length !== count * 4) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const checks = Uint32Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
    return new BlockChecks(sizes, checks);
  }

  /** Throws unless every block of file `file` (open as `fd`) that bytes [start, start + length) touch holds what was written. */
  verify(file: number, fd: number, start: number, length: number): void {
    if (length === 0) return;
    const last = Math.floor((start + length - 1) / CHECK_BLOCK_BYTES);
    for (let block = Math.floor(start / CHECK_BLOCK_BYTES); block <= last; block += 1) {
      const index = this.first[file] + block;
      if (this.verified[index] === 1) continue;
      const from = block * CHECK_BLOCK_BYTES;
      const size = Math.min(CHECK_BLOCK_BYTES, this.sizes[file] - from);
      if (size <= 0 || readSync(fd, this.scratch, 0, size, from) !== size || crc32(this.scratch.subarray(0, size)) >>> 0 !== this.checks[index]) {
        throw new Error(`column text file ${file} fails its check at block ${block} (bytes ${from} to ${from + size}): it changed since it was written`);
      }
      this.verified[index] = 1;
    }
  }
}

import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError } from './cli-error';

/**
 * Bytes one customer's landing lines take: 1,000 customers (seed 42, 1% dirty) wrote 10,985,368 bytes; README:
 * 100,000 customers are 1.1 GB. Rounded up, so the estimate errs on the side of refusing.
 */
const BYTES_PER_CUSTOMER = 11_500;

export const megabytes = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toLocaleString('en-US', { maximumFractionDigits: 1 })} GB` : `${(bytes / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;

/**
 * Refuses a generated sample that cannot fit on the disk holding `out` before writing anything (`stedi generate`,
 * and `stedi start` into its landing folder): `--customers 1e12` filled 41 GB of a shared disk in ten minutes, and
 * start said only Node's "ENOSPC: no space left on device, write". `tooLarge` says it with the asking command's flags;
 * `flag` is the folder's flag. A disk whose free space cannot be read is not checked.
 */
export async function ensureSampleRoom(out: string, sample: { customers: number; dirty: number }, flag: string, tooLarge: (need: string, free: string) => string): Promise<void> {
  const need = sample.customers * BYTES_PER_CUSTOMER * (1 + sample.dirty);
  for (let dir = resolve(out); ; dir = dirname(dir)) {
    const stats = await statfs(dir).catch(() => undefined);
    if (stats) {
      const free = stats.bavail * stats.bsize;
      if (need > free) {
        // A filesystem without blocks (/proc, /sys) holds no files at all.
        if (stats.blocks === 0) throw new CliError(`${resolve(out)} is on a virtual filesystem that holds no files; point ${flag} at a folder on a disk`);
        throw new CliError(tooLarge(megabytes(need), megabytes(free)));
      }
      return;
    }
    if (dirname(dir) === dir) return;
  }
}

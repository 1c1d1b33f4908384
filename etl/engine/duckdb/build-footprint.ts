import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LakeFilesystemError } from '../engine-errors';
import { noSpaceLeft } from './fs-errors';

/**
 * How much a build had written when its disk filled: counted before the failed build removes its files, it is the
 * least the build needs, which "no space left" alone did not say (the operator freed a little and failed again).
 */

/**
 * Bytes the files under `folders` take on disk (a missing folder: none; blocks, as df counts them). `unshared`: only
 * files no other path links to, what removing the folders frees.
 */
export async function bytesOnDisk(folders: readonly string[], unshared = false): Promise<number> {
  let total = 0;
  for (const folder of folders) {
    const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
    for (const entry of entries) total += await lstat(join(folder, entry)).then((s) => (s.isFile() && (!unshared || s.nlink === 1) ? s.blocks * 512 : 0), () => 0);
  }
  return total;
}

/** A full disk's error said with `written`, the bytes the build had written; any other error as it is. */
export function withBytesWritten(error: unknown, written: number): unknown {
  if (!(error instanceof LakeFilesystemError) || error.code !== 'ENOSPC' || written <= 0 || !error.message.startsWith('no space left')) return error;
  return new LakeFilesystemError(noSpaceLeft(error.path, written), error.path, error.code);
}

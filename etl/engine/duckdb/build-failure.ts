import { LakeFilesystemError, isSpillFull } from '../engine-errors';
import { withBytesWritten } from './build-footprint';
import { filesystemCode, noSpaceLeft, openFileLimitReached } from './fs-errors';
import { lakeFolderGone } from './lake-folder-identity';

/**
 * A failed build's error as the user is told it (duckdb-build-target.ts): the lake folder gone from under it, the
 * open-file limit, or a full disk with the bytes it had written (`written`, once abandoned), else as it is.
 */
export function explainBuildFailure(error: unknown, lake: string, lakeAt: string | undefined, written: number | undefined): unknown {
  const gone = lakeFolderGone(lake, lakeAt);
  if (gone) return gone;
  // DuckDB's "Too many open files" in any step (a zone's query opening the landing files), or a landing file's read
  // failing so (its LandingReadError's cause): the limit is the fix, not that file.
  if (!(error instanceof LakeFilesystemError) && openFileLimitIn(error)) {
    return new LakeFilesystemError(openFileLimitReached(` while building ${lake}`), lake, 'EMFILE');
  }
  return written === undefined ? error : withBytesWritten(error, written);
}

/** A statement's error, or the full disk it is when DuckDB could not spill (`spill`: the build's spill folder). */
export function spillFullAsDiskFull(error: unknown, spill: () => string): unknown {
  // DuckDB says "Out of Memory Error" of a spill the lake's disk cannot take: it was said so, with no folder to free.
  if (!isSpillFull(error)) return error;
  const at = spill();
  return new LakeFilesystemError(noSpaceLeft(at), at, 'ENOSPC');
}

// Private: whether the error, or one it was caused by, is the open-file limit.
const openFileLimitIn = (error: unknown): boolean =>
  filesystemCode(error) === 'EMFILE' || (error instanceof Error && error.cause !== undefined && openFileLimitIn(error.cause));

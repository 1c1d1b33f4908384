import { LakeFilesystemError } from '../engine-errors';
import { withBytesWritten } from './build-footprint';
import { filesystemCode, openFileLimitReached } from './fs-errors';
import { lakeFolderGone } from './lake-folder-identity';

/**
 * A failed build's error as the user is told it (duckdb-build-target.ts): the lake folder gone from under it, the
 * open-file limit, or a full disk with the bytes it had written (`written`, once abandoned), else as it is.
 */
export function explainBuildFailure(error: unknown, lake: string, lakeAt: string | undefined, written: number | undefined): unknown {
  const gone = lakeFolderGone(lake, lakeAt);
  if (gone) return gone;
  // DuckDB's "Too many open files" in any step (a zone's query opening the landing files): the limit is the fix, not that file.
  if (!(error instanceof LakeFilesystemError) && filesystemCode(error) === 'EMFILE') {
    return new LakeFilesystemError(openFileLimitReached(` while building ${lake}`), lake, 'EMFILE');
  }
  return written === undefined ? error : withBytesWritten(error, written);
}

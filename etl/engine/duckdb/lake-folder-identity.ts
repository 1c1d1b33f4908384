import { statSync } from 'node:fs';
import { LakeFilesystemError } from '../engine-errors';
import { shellWord } from '../../shell-word';

/**
 * The lake folder a build began in (device and inode), to tell it from none, or another folder, at its path later: a lake
 * removed or moved while a build ran failed it with DuckDB's words for a file it could not find (SQL and all).
 */
export function lakeFolderIdentity(lake: string): string | undefined {
  try {
    const stats = statSync(lake);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

/** The one line for a build whose lake folder is no longer the one it began in (`began`); undefined while it is. */
export function lakeFolderGone(lake: string, began: string | undefined): LakeFilesystemError | undefined {
  if (began === undefined || lakeFolderIdentity(lake) === began) return undefined;
  return new LakeFilesystemError(
    `the lake folder ${lake} was removed or moved while the build ran, so nothing was published; build again with --lake naming where it is now (at ${shellWord(lake)}, a build starts a new lake)`,
    lake,
    'ENOENT',
  );
}

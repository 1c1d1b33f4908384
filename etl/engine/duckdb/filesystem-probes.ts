import { lstatSync, readlinkSync, type Stats, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/*
 * What the filesystem says of a path a lake operation was refused at, asked
 * without writing anything: what exists on the way to it, a file or a broken
 * link in place of a folder, a full or virtual filesystem (fs-errors.ts turns
 * the answers into one line naming the fix).
 */

/** `path` or its nearest parent that this user can stat, with what stat says; a parent not even visible is skipped, as is one under a file (ENOTDIR). */
export function nearestExisting(path: string): { path: string; stats: Stats } | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      const stats = statSync(p, { throwIfNoEntry: false });
      if (stats) return { path: p, stats };
    } catch {
      // Private: its parent says whose it is, or is the file in the way.
    }
    if (dirname(p) === p) return undefined;
  }
}

/** A filesystem of no blocks at all (/proc, /sys): a folder cannot be made there, whatever its permissions. */
export function holdsNoFiles(path: string): boolean {
  try {
    return statfsSync(path).blocks === 0;
  } catch {
    return false;
  }
}

/** No block or no inode left for a new folder (Node's recursive mkdir says ENOENT for that too); a filesystem without an inode count reports 0 files. */
export function filesystemFull(path: string): boolean {
  try {
    const { bavail, blocks, ffree, files } = statfsSync(path);
    return (blocks > 0 && bavail === 0) || (files > 0 && ffree === 0);
  } catch {
    return false;
  }
}

/**
 * The filesystem holding `path` has space but (next to) no free inode: many small files, a tmpfs with nr_inodes.
 * "Next to": by the time this is asked, the build may have removed a file it made beside the one refused.
 */
export function outOfInodes(path: string): boolean {
  const found = nearestExisting(path);
  if (!found) return false;
  try {
    const { bavail, bsize, ffree, files } = statfsSync(found.path);
    return files > 0 && ffree < INODES_NEARLY_NONE && bavail * bsize >= SPACE_TO_SPARE;
  } catch {
    return false;
  }
}

/** Fewer free inodes than a build makes files and folders; and free space no build's refusal would leave. */
const INODES_NEARLY_NONE = 64;
const SPACE_TO_SPARE = 1024 * 1024;

/** `path` or its nearest existing parent when that is a file rather than a folder. */
export function fileInTheWay(path: string): string | undefined {
  const found = nearestExisting(path);
  return found && !found.stats.isDirectory() ? found.path : undefined;
}

/**
 * The link on the way to `path` (it or a parent) that points at nothing, with its target: a lake linked to a
 * disk that is not mounted. Making folders through it failed with Node's own "ENOTDIR ... mkdir".
 */
export function brokenLinkOnTheWay(path: string): { link: string; target: string } | undefined {
  for (let p = path; ; p = dirname(p)) {
    const entry = lstatOrNothing(p);
    if (entry) return entry.isSymbolicLink() && !statOrNothing(p) ? { link: p, target: readlinkSync(p) } : undefined;
    if (dirname(p) === p) return undefined;
  }
}

/**
 * lstat (or stat), or undefined where nothing is: a path that runs through a file (ENOTDIR) is not there either, and
 * its parent tells. The same on every Node: throwIfNoEntry hides ENOTDIR on Node 22+ only, Node 20 throws it.
 */
function lstatOrNothing(path: string, follow = false): Stats | undefined {
  try {
    return (follow ? statSync : lstatSync)(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

const statOrNothing = (path: string): Stats | undefined => lstatOrNothing(path, true);

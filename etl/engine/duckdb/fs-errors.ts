import { accessSync, constants } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { LakeFilesystemError } from '../engine-errors';
import { shellWord } from '../../shell-word';
import { sizeText } from '../../size-text';
import { fileInTheWay, brokenLinkOnTheWay, filesystemFull, holdsNoFiles, nearestExisting, outOfInodes } from './filesystem-probes';

/**
 * Turns a filesystem refusal into one line naming the path and the fix. Node
 * errors carry a code; DuckDB's carry only a message, matched by its words.
 */
const BY_MESSAGE: Array<[RegExp, string]> = [
  [/no space left on device|disk quota exceeded/i, 'ENOSPC'],
  [/read-only file system/i, 'EROFS'],
  [/permission denied/i, 'EACCES'],
  [/file too large/i, 'EFBIG'],
  [/too many open files/i, 'EMFILE'],
];

export function filesystemCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException)?.code;
  // A file where the lake needs a folder (--lake naming a file, a file in place of one of its folders).
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EMFILE') return code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') return code === 'EDQUOT' ? 'ENOSPC' : code === 'EPERM' ? 'EACCES' : code;
  const message = error instanceof Error ? error.message : '';
  return BY_MESSAGE.find(([pattern]) => pattern.test(message))?.[1];
}

/**
 * What stopped a recursive mkdir that Node reports as ENOENT: it says so when a
 * folder cannot be made on a read-only filesystem (or under a file, without
 * permission, or on a full disk), which reads as if the parent were missing.
 * Asked of the nearest folder that exists, without writing anything.
 */
function mkdirRefusal(error: unknown): string | undefined {
  const { code, syscall, path } = (error as NodeJS.ErrnoException) ?? {};
  if (code !== 'ENOENT' || syscall !== 'mkdir' || typeof path !== 'string') return undefined;
  const found = nearestExisting(path);
  if (!found) return undefined;
  if (!found.stats.isDirectory()) return 'ENOTDIR';
  if (holdsNoFiles(found.path)) return VIRTUAL;
  try {
    accessSync(found.path, constants.W_OK);
  } catch (refusal) {
    return filesystemCode(refusal);
  }
  return filesystemFull(found.path) ? 'ENOSPC' : undefined;
}

/** The code of a folder that cannot be made on a filesystem of no blocks at all (/proc, /sys): no code of Node's says it. */
const VIRTUAL = 'EVIRTUAL';

/** A LakeFilesystemError for `error` when it is a filesystem refusal at `path` in the lake `lake`; otherwise `error` itself. */
export function describeFilesystemError(error: unknown, where: string, lake: string): unknown {
  if (error instanceof LakeFilesystemError) return error;
  const code = filesystemCode(error) ?? mkdirRefusal(error);
  if (!code) return error;
  // A full disk, a file size limit or a file in the way is said of the file Node failed on when it names one (DuckDB's errors do not);
  // a refusal, of the step's folder: that is what to give the user.
  const own = (error as NodeJS.ErrnoException).path;
  const path = typeof own === 'string' && own.length > 0 && code !== 'EACCES' && code !== 'EROFS' ? own : where;
  const uid = process.getuid?.();
  if (code === VIRTUAL) {
    return new LakeFilesystemError(`cannot create the lake folder ${lake}: ${nearestExisting(path)?.path ?? dirname(path)} is on a virtual filesystem that holds no files; point --lake at a folder on a disk`, path, code);
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    const broken = brokenLinkOnTheWay(path);
    if (broken) return new LakeFilesystemError(`cannot make the folder ${path}: ${broken.link} is a link to ${broken.target}, which does not exist (a disk not mounted?); mount it, or point --lake at a folder`, path, code);
    const blocking = fileInTheWay(path);
    if (blocking) return new LakeFilesystemError(`cannot make the folder ${path}: ${blocking} is a file, not a folder; move it away, or point --lake at a folder`, path, code);
    return error;
  }
  if (code === 'ENOSPC') {
    // Space to spare but no inode: "free space" would send the user to df -h, which shows plenty.
    if (outOfInodes(path)) {
      return new LakeFilesystemError(`no free inodes left on the device holding ${path} (it has space, but no room for another file: see df -i); remove files there, or build into a folder on another filesystem (--lake)`, path, code);
    }
    return new LakeFilesystemError(noSpaceLeft(path), path, code);
  }
  if (code === 'EMFILE') return new LakeFilesystemError(openFileLimitReached(` at ${path}`), path, code);
  if (code === 'EFBIG') {
    return new LakeFilesystemError(
      `cannot write ${path}: it would grow past the largest file this process may write (ulimit -f) or its filesystem holds; raise the limit (ulimit -f unlimited), or build into a folder on another filesystem (--lake)`,
      path,
      code,
    );
  }
  if (code === 'EROFS') {
    return new LakeFilesystemError(`cannot write ${path}: the filesystem is read-only; a read-only lake can be served but not built: build into a writable folder (--lake)`, path, code);
  }
  const nearest = nearestExisting(path);
  // The lake folder itself is missing and its parent refuses it: a chown of the lake would fail, the parent is what refuses.
  const root = resolve(lake);
  if (nearest && resolve(nearest.path) !== root && !resolve(nearest.path).startsWith(`${root}${sep}`)) {
    const parent = nearest.path;
    if (uid === undefined || nearest.stats.uid === uid) {
      return new LakeFilesystemError(`cannot create the lake folder ${lake}: ${parent} is not writable; make it writable (chmod u+w ${shellWord(parent)}) or use another --lake`, path, code);
    }
    return new LakeFilesystemError(
      `cannot create the lake folder ${lake}: ${parent} belongs to uid ${nearest.stats.uid} and stedi runs as uid ${uid}; create it for this user (mkdir -p ${shellWord(lake)} && chown ${uid} ${shellWord(lake)}, as uid ${nearest.stats.uid} or root) or use another --lake`,
      path,
      code,
    );
  }
  const owner = nearest?.stats.uid;
  if (uid !== undefined && owner !== undefined && owner !== uid) {
    return new LakeFilesystemError(
      `cannot write ${path}: it belongs to uid ${owner} and stedi runs as uid ${uid}; give it to this user (chown -R ${uid} ${shellWord(lake)}; for the Docker image, uid 1000) or use another --lake`,
      path,
      code,
    );
  }
  return new LakeFilesystemError(`cannot write ${path}: permission denied; make the lake folder writable (chmod -R u+w ${shellWord(lake)}) or use another --lake`, path, code);
}

/** What is wrong with `lake` as a lake folder, when it or a parent is a file; undefined when nothing is in the way. */
export function lakeInTheWay(lake: string): string | undefined {
  const blocking = fileInTheWay(lake);
  if (blocking === lake) return `the lake ${lake} is a file, not a folder; point --lake (STEDI_LAKE) at a folder (it is made if missing)`;
  if (blocking) return `the lake ${lake} cannot be made: ${blocking} is a file, not a folder; point --lake (STEDI_LAKE) at a folder (it is made if missing)`;
  return undefined;
}

/** This process's open-file limit reached (while it opened something `at`): not the file's fault, nor the lake's, so no path is the fix. */
export const openFileLimitReached = (at = ''): string => `this process reached its open-file limit (ulimit -n)${at}; raise it (ulimit -n 4096) before starting stedi`;

/** A full disk at `path`; `written`: the bytes the build had written when it filled, when known (build-footprint.ts). */
export function noSpaceLeft(path: string, written?: number): string {
  const least = written === undefined ? '' : ` (this build had written ${sizeText(written)} when it filled, and needs more)`;
  return `no space left on the device holding ${path}${least}; free space there, or build into a folder on a larger disk (--lake)`;
}

/** A refused removal of a version's folders, said of the folder that refuses it (the one holding the entry), not the lake. */
export function describeRemovalRefusal(error: unknown, lake: string): unknown {
  const entry = (error as NodeJS.ErrnoException)?.path;
  return describeFilesystemError(error, typeof entry === 'string' && entry.length > 0 ? dirname(entry) : lake, lake);
}

/** Runs `work`, reporting a filesystem refusal at `path` as one clear line. */
export async function onLakeFilesystem<T>(path: string, lake: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw describeFilesystemError(error, path, lake);
  }
}

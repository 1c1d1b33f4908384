import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FileChecksum, LakeManifest, TableVersion } from '../../manifest';
import { OpenFileLimitError, READ_ACCESS_FIX, isOpenFileLimit } from '../engine-errors';
import { BUILT_TABLES } from '../../tables';
import type { LakeLayout } from './lake-layout';

/**
 * Size and SHA-256 of a lake file: recorded by the build, checked before a
 * version is read. A file's hash is computed once per size and mtime.
 */

const hashes = new Map<string, Promise<string>>();

/** Forgets `path`'s hashes: it was written in place, perhaps with its size and mtime put back. */
export function forgetHashes(path: string): void {
  for (const key of hashes.keys()) if (key.startsWith(`${path}\0`)) hashes.delete(key);
}

/** What `path` is now (inode, size, modification and change times), or `missing`: any write, rename or restore changes it. */
export async function fileIdentity(path: string): Promise<string> {
  try {
    const { ino, size, mtimeMs, ctimeMs } = await stat(path);
    return `${ino}:${size}:${mtimeMs}:${ctimeMs}`;
  } catch (error) {
    return `missing (${(error as NodeJS.ErrnoException).code ?? 'unknown'})`;
  }
}

/** `path` is a regular file (following links): only such a file may be opened without risk of waiting for ever. */
export const isRegularFile = (path: string): Promise<boolean> => stat(path).then((s) => s.isFile(), () => false);

export function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export async function fileChecksum(path: string): Promise<FileChecksum> {
  const { size } = await stat(path);
  return { bytes: size, sha256: await sha256Of(path) };
}

/** Why `path` is not the file the manifest recorded (`name` is how to call it), or null when it is. */
export async function fileDamage(path: string, name: string, expected: TableVersion): Promise<string | null> {
  let found: Stats;
  try {
    found = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `${name} is missing`;
    return unreadable(name, error);
  }
  const { size, mtimeMs } = found;
  // Never opened: reading a pipe waits for a writer for ever (status hung on one).
  if (!found.isFile()) return `${name} is ${found.isDirectory() ? 'a folder' : 'a pipe, socket or device'}, not the file the build wrote`;
  if (expected.bytes !== undefined && size !== expected.bytes) return `${name} is ${size} bytes; the manifest recorded ${expected.bytes}`;
  if (expected.sha256 === undefined) return null;
  const key = `${path}\0${size}\0${mtimeMs}`;
  let hashing = hashes.get(key);
  if (!hashing) {
    hashing = sha256Of(path);
    hashes.set(key, hashing);
    hashing.catch(() => hashes.delete(key));
  }
  try {
    return (await hashing) === expected.sha256 ? null : `${name} fails its SHA-256 checksum`;
  } catch (error) {
    return unreadable(name, error);
  }
}

/**
 * A file that is there but may not be read: a rebuild would not help, its permissions would. The open-file limit is
 * no damage (the file opens once descriptors are free): thrown, so nothing records the version as damaged.
 */
function unreadable(name: string, error: unknown): string {
  if (isOpenFileLimit(error)) throw new OpenFileLimitError(name, error);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return `${name} cannot be read (${code}): the user running stedi may not read it; ${READ_ACCESS_FIX}`;
  return `${name} cannot be read (${code ?? (error as Error).message})`;
}

/** The kept versions of `manifest` with a table file that is not what the build wrote. */
export async function damagedVersions(layout: LakeLayout, manifest: LakeManifest): Promise<Set<string>> {
  const damaged = new Set<string>();
  for (const v of manifest.versions) {
    for (const table of BUILT_TABLES) {
      if (await fileDamage(layout.tableFile(table, v.version), v.tables[table].location, v.tables[table])) {
        damaged.add(v.version);
        break;
      }
    }
  }
  return damaged;
}

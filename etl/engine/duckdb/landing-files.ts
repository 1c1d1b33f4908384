import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** A landing folder that cannot be read or holds no data: the build cannot start. */
export class LandingFolderError extends Error {
  constructor(
    readonly folder: string,
    detail: string,
  ) {
    super(`landing folder ${folder} ${detail}`);
    this.name = 'LandingFolderError';
  }
}

const DATA_FILE = /\.(json|jsonl|ndjson)$/i;

/** The newline-delimited JSON files of one landing folder, in name order. */
export async function findLandingFiles(folder: string): Promise<string[]> {
  const absolute = resolve(folder);
  let entries;
  try {
    entries = await readdir(absolute, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code ?? (error as Error).message})`;
    throw new LandingFolderError(absolute, `${why}; point --landing at the folder holding customer/landing/, accelerometer/landing/ and step_trainer/landing/`);
  }
  const files = entries.filter((e) => e.isFile() && DATA_FILE.test(e.name)).map((e) => join(absolute, e.name));
  if (files.length === 0) throw new LandingFolderError(absolute, 'holds no .json files; add the landing data or point --landing elsewhere');
  return files.sort();
}

/**
 * The identity of `files` now: each one's path, device, inode, size and its modification and change
 * times in nanoseconds. A write changes the size or the times (the change time cannot be set back),
 * a replacement changes the inode. Rejects when a file cannot be stat-ed (gone since it was listed).
 */
export async function landingFilesIdentity(files: readonly string[]): Promise<{ key: string; changedAtMs: number }> {
  let changedAtMs = 0;
  const parts = await Promise.all(
    files.map(async (file) => {
      const s = await stat(file, { bigint: true });
      changedAtMs = Math.max(changedAtMs, Number(s.mtimeMs), Number(s.ctimeMs));
      return [file, s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join('\0');
    }),
  );
  return { key: parts.join('\n'), changedAtMs };
}

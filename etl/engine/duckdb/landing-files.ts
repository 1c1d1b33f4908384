import { readdir } from 'node:fs/promises';
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

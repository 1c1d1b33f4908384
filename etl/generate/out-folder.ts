import { constants } from 'node:fs';
import { access, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SOURCES, type Source } from '../tables';
import { GenerateInputError } from './generate-options';

/**
 * Readies `<out>/<source>/landing/` for generated files. A landing folder
 * that already holds files is refused unless `force`; its data files (the
 * ones a build reads) are replaced once the new ones are complete.
 */

const DATA_FILE = /\.(json|jsonl|ndjson)$/i;

export const isDataFile = (name: string): boolean => DATA_FILE.test(name);

const why = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

export async function prepareOutFolder(out: string, force: boolean): Promise<Record<Source, string>> {
  try {
    await mkdir(out, { recursive: true });
    await access(out, constants.W_OK);
  } catch (error) {
    throw new GenerateInputError(`cannot write to the output folder ${out} (${why(error)}); choose a writable --out folder`);
  }
  const dirs = Object.fromEntries(SOURCES.map((s) => [s, join(out, s, 'landing')])) as Record<Source, string>;
  for (const dir of Object.values(dirs)) {
    const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw new GenerateInputError(`cannot read ${dir} (${why(error)}); choose another --out folder`);
    });
    if (entries.length === 0) continue;
    if (!force) throw new GenerateInputError(`${dir} already holds files; pass --force to replace them or choose another --out folder`);
  }
  for (const dir of Object.values(dirs)) {
    await mkdir(dir, { recursive: true }).catch((error) => {
      throw new GenerateInputError(`cannot create ${dir} (${why(error)}); choose a writable --out folder`);
    });
  }
  return dirs;
}

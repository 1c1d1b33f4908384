import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeFolder } from '../make-folder';
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

/** A file where a folder must be: Node's code alone (EEXIST from making a folder over a file) named no fix. */
function fileInTheWay(error: unknown, path: string, fix: string): GenerateInputError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return new GenerateInputError(`${path} is a file, not a folder; ${fix}`);
  if (code === 'ENOTDIR') return new GenerateInputError(`${path} runs through a file, not a folder; ${fix}`);
  return undefined;
}

/** The flags a fix names: `stedi generate`'s by default; `stedi start` generates into its --landing folder and has no --force. */
export interface OutFolderFlags {
  out: string;
  force?: string;
}

const GENERATE_FLAGS: OutFolderFlags = { out: '--out', force: '--force' };

export async function prepareOutFolder(out: string, force: boolean, flags: OutFolderFlags = GENERATE_FLAGS): Promise<Record<Source, string>> {
  const flag = flags.out;
  try {
    // Not Node's recursive mkdir: under /proc it never returns (make-folder.ts).
    await makeFolder(out);
    await access(out, constants.W_OK);
  } catch (error) {
    throw fileInTheWay(error, `${flag} ${out}`, `give ${flag} the path of a folder (one that is missing is made)`) ??
      new GenerateInputError(`cannot write to the output folder ${out} (${why(error)}); choose a writable ${flag} folder`);
  }
  const dirs = Object.fromEntries(SOURCES.map((s) => [s, join(out, s, 'landing')])) as Record<Source, string>;
  for (const dir of Object.values(dirs)) {
    const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw fileInTheWay(error, dir, `move that file away or choose another ${flag} folder`) ?? new GenerateInputError(`cannot read ${dir} (${why(error)}); choose another ${flag} folder`);
    });
    if (entries.length === 0) continue;
    if (!force) throw new GenerateInputError(`${dir} already holds files; ${flags.force ? `pass ${flags.force} to replace them` : 'move them away'} or choose another ${flag} folder`);
  }
  for (const dir of Object.values(dirs)) {
    await makeFolder(dir).catch((error) => {
      throw new GenerateInputError(`cannot create ${dir} (${why(error)}); choose a writable ${flag} folder`);
    });
  }
  return dirs;
}

import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isLandingFileName } from '../../landing/landing-rules';
import { openFileLimitReached } from './fs-errors';
import { outsideLanding } from './landing-links';
import { terminalText } from '../../terminal-text';

/** What is wrong with a landing folder: gone, holding an entry no build reads (it may hold a revocation), no data file, or else unusable. */
export type LandingFolderProblem = 'missing' | 'unread entry' | 'link outside' | 'empty' | 'unusable';

/** A landing folder that cannot be read or holds no data: the build cannot start. */
export class LandingFolderError extends Error {
  constructor(
    readonly folder: string,
    detail: string,
    readonly problem: LandingFolderProblem = 'unusable',
  ) {
    super(`landing folder ${folder} ${detail}`);
    this.name = 'LandingFolderError';
  }
}


/**
 * The newline-delimited JSON files of one landing folder, in name order. With `whole`, a build's reading: any
 * other entry not hidden (a name starting with . or _) is refused, as Athena's preflight refuses it, since its
 * records would be left out without a word (a revocation in `x.json.gz`, a partition folder `2026/`). The folder
 * and each file must lie inside `root` (the --landing folder) once links are followed (landing-links.ts).
 */
export async function findLandingFiles(folder: string, root: string, { whole = false } = {}): Promise<string[]> {
  const absolute = resolve(folder);
  let entries;
  try {
    entries = await readdir(absolute, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A folder this user may not list is the right folder with the wrong permissions: pointing --landing elsewhere fixes nothing.
    if (code === 'EACCES' || code === 'EPERM') {
      throw new LandingFolderError(absolute, `cannot be read (${code}): give the user stedi runs as (uid ${process.getuid?.()}) read access to it (chmod, chown)`);
    }
    // Too many files open: the folder is fine, pointing --landing elsewhere fixes nothing.
    if (code === 'EMFILE') throw new LandingFolderError(absolute, `cannot be read: ${openFileLimitReached()}`);
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code ?? (error as Error).message})`;
    throw new LandingFolderError(absolute, `${why}; point --landing at the folder holding customer/landing/, accelerometer/landing/ and step_trainer/landing/`, code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unusable');
  }
  const away = await outsideLanding(root, absolute);
  if (away) throw new LandingFolderError(absolute, `is a link to ${shown(away)}, outside the landing folder ${shown(resolve(root))}: a build reads only what is inside it; move the data in, or point --landing at the folder that holds it`, 'link outside');
  const unread = whole ? entries.filter((e) => !isLandingFileName(e.name) && !/^[._]/.test(e.name)) : [];
  if (unread.length > 0) {
    const names = unread.map((e) => `${shown(e.name)}${e.isDirectory() ? '/' : ''}`).sort();
    const listed = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    throw new LandingFolderError(absolute, `holds ${listed}, which a build would not read: landing data is the .json, .jsonl and .ndjson files directly in the folder; decompress, rename or move up what is data, and move the rest out of the landing folder`, 'unread entry');
  }
  const files: string[] = [];
  for (const entry of entries.filter((e) => isLandingFileName(e.name))) {
    const path = join(absolute, entry.name);
    // A link inside the landing folder is followed (a revocation delivered as a link must count), one out of it refused;
    // anything else by a data file's name is refused, never skipped: its lines would be lost without a word.
    const kind = entry.isFile() ? 'file' : await kindOf(entry, path);
    if (kind !== 'file') throw new LandingFolderError(absolute, `holds ${shown(entry.name)}, which is ${kind}, not a file of JSON lines; replace it with the file, or move it out of the landing folder`);
    const target = entry.isSymbolicLink() ? await outsideLanding(root, path) : undefined;
    if (target) throw new LandingFolderError(absolute, `holds ${shown(entry.name)}, a link to ${shown(target)} outside the landing folder ${shown(resolve(root))}: a build reads only files inside it; if it is landing data, copy it in, or point --landing at the folder that holds it`, 'link outside');
    files.push(path);
  }
  if (files.length === 0) throw new LandingFolderError(absolute, 'holds no .json files; add the landing data or point --landing elsewhere', 'empty');
  return files.sort();
}

/** An entry's name as a message shows it (terminal-text.ts). */
const shown = terminalText;

/** What a landing entry that is not a plain file is, following a link. */
async function kindOf(entry: Dirent, path: string): Promise<string> {
  if (entry.isDirectory()) return 'a folder';
  if (!entry.isSymbolicLink()) return 'a special file (a pipe, socket or device)';
  try {
    const target = await stat(path);
    if (target.isFile()) return 'file';
    return target.isDirectory() ? 'a link to a folder' : 'a link to a special file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'a link whose target is missing' : code === 'ELOOP' ? 'a link that loops' : `a link that cannot be followed (${code ?? 'unknown error'})`;
  }
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

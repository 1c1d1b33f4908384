import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that fails with the real reason, one folder at a time. Node's recursive mkdir says ENOENT whatever
 * stopped it (no block or inode left, a read-only filesystem), and where a folder exists but takes no new folder
 * (`--lake /proc/lake`: ENOENT below a parent that is there) it never returns, spinning a core: each missing
 * folder is made here on its own, so each fails for its own reason.
 */
export async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    // As `mkdir -p`: a folder already there is made; a file there is not a folder.
    if (code === 'EEXIST' && (await stat(path).then((s) => s.isDirectory(), () => false))) return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    await makeFolder(dirname(path));
    await mkdir(path).catch(async (again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST' || !(await stat(path).then((s) => s.isDirectory(), () => false))) throw again;
    });
  }
}

/** makeFolder for code that cannot wait: Node's mkdirSync with `recursive` spins under /proc just the same. */
export function makeFolderSync(path: string): void {
  try {
    mkdirSync(path);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'EEXIST' && statSync(path, { throwIfNoEntry: false })?.isDirectory()) return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    makeFolderSync(dirname(path));
    try {
      mkdirSync(path);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw again;
    }
  }
}

import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that fails with the real reason. Node's recursive mkdir says ENOENT
 * whatever stopped it (no block or inode left, a read-only filesystem), and
 * by the time that is looked into another step may have freed the space; so
 * the missing folders are made again one at a time, each failing for its own reason.
 */
export async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await makeOneByOne(path);
  }
}

async function makeOneByOne(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    await makeOneByOne(dirname(path));
    await mkdir(path).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

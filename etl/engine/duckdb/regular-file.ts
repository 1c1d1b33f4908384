import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * The text of a small lake state file (a build record, the lock), read only when it is a regular file: a pipe put in
 * its place blocked the read for ever, and `stedi status` and every build with it. Opened without blocking, then
 * checked, so nothing waits for a writer that never comes. Throws for anything but a regular file.
 */
export async function readRegularFile(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(path, stat.isDirectory());
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** readRegularFile, for a caller that reads before anything else runs (`stedi start`'s kept development keys). */
export function readRegularFileSync(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(path, stat.isDirectory());
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * A descriptor of `path` for reading, only when it is a regular file: a server opening a pipe put among a version's
 * batch column texts (`.batch.json`, `.batch.crc`, `.batch.<n>`) blocked its event loop, every request with it.
 */
export function openRegularFileSync(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(path, stat.isDirectory());
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** EISDIR for a folder, as a plain read says it; ENOTREG for anything else that is not a regular file (a pipe, a device). */
const notRegular = (path: string, folder: boolean): Error =>
  Object.assign(new Error(`${path} is ${folder ? 'a folder' : 'not a regular file'}`), { code: folder ? 'EISDIR' : 'ENOTREG' });

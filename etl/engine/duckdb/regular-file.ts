import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * The text of a small lake state file (a build record, the lock), read only when it is a regular file: a pipe put in
 * its place blocked the read for ever, and `stedi status` and every build with it. Opened without blocking, then
 * checked, so nothing waits for a writer that never comes. Throws for anything but a regular file.
 */
export async function readRegularFile(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' });
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

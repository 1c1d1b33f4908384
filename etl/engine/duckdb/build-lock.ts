import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * One build at a time per lake folder. The lock file holds the builder's pid;
 * a lock whose process is gone was left by a crash and is taken over.
 */
export class BuildLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: number,
  ) {
    super(`another build (pid ${holder}) is running on this lake; wait for it to finish, or remove ${lockPath} if that process is gone`);
    this.name = 'BuildLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireBuildLock(lockPath: string, owner: string): Promise<() => Promise<void>> {
  await mkdir(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, owner, since: new Date().toISOString() }));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readHolder(lockPath);
      if (holder !== null && isAlive(holder)) throw new BuildLockedError(lockPath, holder);
      await rm(lockPath, { force: true });
    }
  }
  throw new BuildLockedError(lockPath, -1);
}

async function readHolder(lockPath: string): Promise<number | null> {
  try {
    const { pid } = JSON.parse(await readFile(lockPath, 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' ? pid : null;
  } catch {
    return null;
  }
}

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Work folders named for the process that owns them (an export's temp files, a generate's staged landing): a
 * process killed outright leaves its folder behind, and the next one to start removes it.
 */

/** A process with this pid exists on this host (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the entries of `dir` whose name matches `pattern` (group 1: the owner's pid) when that process is gone. */
export function removeDeadProcessFolders(dir: string, pattern: RegExp): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no folder yet: nothing was left
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // Another user's (a shared temp folder): theirs to remove, never a reason not to start.
    }
  }
}

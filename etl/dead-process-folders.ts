import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Work folders named for the process that owns them (an export's temp files, a generate's staged landing): a
 * process killed outright leaves its folder behind, and the next one to start removes it.
 */

/** A process with this pid exists on this host (EPERM: it does, under another user), and has not died unreaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** Dead but not yet waited for by its parent (a PID 1 that never reaps keeps it so for ever): it holds nothing. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state is the field after the command name, which may hold spaces and parentheses.
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    // Private: no /proc (not Linux), or the process just went: kill() already said whether it exists.
    return false;
  }
}

/** Field 22 of /proc/<pid>/stat (its start time in clock ticks since boot); null where there is no /proc. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * `<pid>.<start time>` of this process (its pid alone without /proc), for the name of a folder it owns: a restarted
 * container's server often has the very pid of the one killed, which a pid alone took for the folder's live owner.
 */
export function ownerTag(): string {
  const start = processStart(process.pid);
  return start === null ? String(process.pid) : `${process.pid}.${start}`;
}

/** A name's owner still runs: its pid is alive and, when the name gives its start time (ownerTag), that is the pid's. */
export function ownerRuns(pid: number, start: string | undefined): boolean {
  if (!isAlive(pid)) return false;
  const now = start === undefined ? null : processStart(pid);
  return now === null || now === start;
}

/**
 * Removes the entries of `dir` whose name matches `pattern` (group 1: the owner's pid; group 2, if the name has it,
 * the owner's start time as ownerTag writes it) when that process is gone.
 */
export function removeDeadProcessFolders(dir: string, pattern: RegExp): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // no folder yet: nothing was left
  }
  for (const name of names) {
    const match = pattern.exec(name);
    const pid = Number(match?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || ownerRuns(pid, match?.[2])) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // Another user's (a shared temp folder): theirs to remove, never a reason not to start.
    }
  }
}

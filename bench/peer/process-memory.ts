import { readFile, readdir } from 'node:fs/promises';

/**
 * Memory of a whole server, however many processes it runs: the proportional
 * set size (PSS) of a process tree, from /proc (Linux). PSS splits each shared
 * page between the processes that map it, so a tree's sum counts it once.
 */

/** The parent pid from the text of /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parentPidOf(stat: string): number {
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(stat.slice(0, 80))}`);
  const fields = stat.slice(end + 1).trim().split(/\s+/);
  const ppid = Number(fields[1]);
  if (!Number.isInteger(ppid) || ppid < 0) throw new Error(`no parent pid in /proc/<pid>/stat: ${JSON.stringify(stat.slice(0, 80))}`);
  return ppid;
}

/** Bytes of the `Pss:` line of /proc/<pid>/smaps_rollup (the kernel writes kB). */
export function pssBytesOf(smapsRollup: string): number {
  const kb = /^Pss:\s+(\d+) kB$/m.exec(smapsRollup)?.[1];
  if (kb === undefined) throw new Error('no Pss line in smaps_rollup');
  return Number(kb) * 1024;
}

/** `roots` and every descendant of them, from a pid → parent pid map. */
export function descendantsOf(roots: number[], parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen].sort((a, b) => a - b);
}

/** pid → parent pid of every process now. */
export async function parentMap(): Promise<Map<number, number>> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    // A process may end between the listing and the read: it is simply not in the map.
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    if (stat) parents.set(Number(name), parentPidOf(stat));
  }
  return parents;
}

export interface TreeMemory {
  pids: number[];
  pssBytes: number;
}

/** The PSS sum of `roots` and all their descendants now; a process that ended meanwhile counts 0. */
export async function treePss(roots: number[]): Promise<TreeMemory> {
  const pids = descendantsOf(roots, await parentMap());
  let pssBytes = 0;
  const alive: number[] = [];
  for (const pid of pids) {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => null);
    if (text === null) continue;
    pssBytes += pssBytesOf(text);
    alive.push(pid);
  }
  if (alive.length === 0) throw new Error(`none of the processes ${roots.join(', ')} is readable in /proc`);
  return { pids: alive, pssBytes };
}

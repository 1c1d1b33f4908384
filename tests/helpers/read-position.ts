import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** The read position of `pid`'s descriptor open on `file` (Linux /proc), or undefined while it has none: how far a build or server has read it. */
export function readPosition(pid: number, file: string): number | undefined {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) !== file) continue;
      return Number(/^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1]);
    }
  } catch {
    // the descriptor closed while looked at
  }
  return undefined;
}

import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The serving engine's threads at a lower OS priority than the event loop.
 * Every request is answered on the event loop, while DuckDB scans on its own
 * threads and libuv's pool: when both want the cores, a small query's answer
 * should not wait behind a large scan's share of them (benchmark 10: a normal
 * client next to a hostile one). Linux only: elsewhere nothing changes.
 */

// Private: the threads the process had when this module loaded (its main thread and V8's), before any engine started.
const startupThreads = new Set(threadIds());

/**
 * Gives `nice` (0-19; 0 leaves them) to every thread started since this module loaded: DuckDB's own threads and
 * libuv's pool, which runs DuckDB's queries and file reads. Called once the engine has run its first statements.
 * Returns how many threads were lowered.
 */
export function lowerEngineThreads(nice: number): number {
  if (nice <= 0) return 0;
  let lowered = 0;
  for (const id of threadIds()) {
    if (startupThreads.has(id)) continue;
    try {
      // On Linux a thread id names that thread alone (setpriority(2), PRIO_PROCESS).
      setPriority(Number(id), nice);
      lowered += 1;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return lowered;
}

function threadIds(): string[] {
  try {
    return readdirSync('/proc/self/task');
  } catch {
    return [];
  }
}

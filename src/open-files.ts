import { readFileSync } from 'node:fs';

/**
 * How many connections one server process takes at most, by default: its open-file limit less a reserve for
 * what it must still open (the lake's Parquet and column files, landing files for consent, DuckDB's spill, logs).
 * Without a cap, idle connections (20,000 from one client needing no key) used every descriptor: honest requests
 * were reset and the consent refresh failed with EMFILE, which after two intervals fails every data request.
 */

/** Descriptors kept free for the process's own files. */
export const RESERVED_FILES = 1_024;
/** Where the limit cannot be read (no /proc: macOS, where Node raises the soft limit to the hard one at start). */
const FALLBACK_CONNECTIONS = 8_192;

/** The soft "Max open files" of a /proc/<pid>/limits text, or undefined when it says none or cannot be read. */
export function openFilesLimit(limitsText: string): number | undefined {
  const soft = /^Max open files\s+(\S+)/m.exec(limitsText)?.[1];
  const value = Number(soft);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The cap where the limit is too low to keep the whole reserve: at most this, and half the limit. */
const SMALL_CAP = 64;

/**
 * The default STEDI_MAX_CONNECTIONS: the open-file limit less the reserve; under a limit too low for that (a
 * `ulimit -n 64`), half the limit, at most 64. It was 64 there too: a cluster worker then used its last descriptor on
 * connections, the next one the primary handed it arrived without its descriptor, and Node's cluster never handed it
 * another (the server answered nothing again, even once every client had gone).
 */
export function defaultMaxConnections(readLimits: () => string = () => readFileSync('/proc/self/limits', 'utf8')): number {
  let limit: number | undefined;
  try {
    limit = openFilesLimit(readLimits());
  } catch {
    limit = undefined;
  }
  if (limit === undefined) return FALLBACK_CONNECTIONS;
  return limit - RESERVED_FILES >= SMALL_CAP ? limit - RESERVED_FILES : Math.max(1, Math.min(SMALL_CAP, Math.floor(limit / 2)));
}

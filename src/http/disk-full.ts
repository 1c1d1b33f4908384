/**
 * Whether an error is the disk running out of space. Said the same way for
 * every engine: Node's errors carry a code, DuckDB's quote the system's words.
 */

const CODES = new Set(['ENOSPC', 'EDQUOT']);
// DuckDB's last: a spill (STEDI_DUCKDB_MEMORY_LIMIT exceeded) its temporary folder's disk cannot take; it said
// "Out of Memory Error", answered as an internal error (500) with nothing for the operator to free.
const WORDS = /no space left on device|disk quota exceeded|failed to offload data block/i;

export function isDiskFull(error: unknown): boolean {
  return matches(error, CODES, WORDS);
}

/** Whether an error is a file growing past the largest this process may write (ulimit -f) or its filesystem holds. */
export function isFileTooLarge(error: unknown): boolean {
  return matches(error, new Set(['EFBIG']), /file too large/i);
}

/** Whether an error is a folder refusing a write: a read-only filesystem, or one this process may not write. */
export function isWriteRefused(error: unknown): boolean {
  return matches(error, new Set(['EROFS', 'EACCES', 'EPERM']), /read-only file system|permission denied/i);
}

function matches(error: unknown, codes: ReadonlySet<string>, words: RegExp): boolean {
  // By shape, not instanceof: a native addon's errors may come from another realm (Jest's sandbox, for one).
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (codes.has(String(code)) || (typeof message === 'string' && words.test(message))) return true;
  }
  return false;
}

/**
 * Whether an error is the disk running out of space. Said the same way for
 * every engine: Node's errors carry a code, DuckDB's quote the system's words.
 */

const CODES = new Set(['ENOSPC', 'EDQUOT']);
const WORDS = /no space left on device|disk quota exceeded/i;

export function isDiskFull(error: unknown): boolean {
  // By shape, not instanceof: a native addon's errors may come from another realm (Jest's sandbox, for one).
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (CODES.has(String(code)) || (typeof message === 'string' && WORDS.test(message))) return true;
  }
  return false;
}

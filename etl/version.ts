import { randomBytes } from 'node:crypto';

/**
 * Version ids sort by build start time and are safe as folder names, DuckDB
 * schema names and Athena table-name suffixes: `20261122T032200123Z_a1b2`
 * lower-cased to `20261122t032200123z_a1b2`.
 */
export function newVersionId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '').toLowerCase();
  return `${stamp}_${randomBytes(2).toString('hex')}`;
}

const VERSION_PATTERN = /^\d{8}t\d{9}z_[0-9a-f]{4}$/;

export function isVersionId(value: string): boolean {
  return VERSION_PATTERN.test(value);
}

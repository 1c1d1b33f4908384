import type { KeyValue } from './cursor';

/**
 * The keyset condition "row after position" for an ORDER BY on `exprs`,
 * written portably (no row-value comparison):
 *   k1 >= ? AND (k1 > ? OR (k1 = ? AND (k2 > ? OR (k2 = ? AND …))))
 * The leading `k1 >= ?` lets engines skip row groups by their min/max.
 */
export function keysetAfter(exprs: readonly string[], position: readonly KeyValue[]): { sql: string; params: KeyValue[] } {
  if (exprs.length !== position.length || exprs.length === 0) throw new RangeError(`a keyset needs one value per key column (${exprs.length}); received ${position.length}`);
  const params: KeyValue[] = [position[0]];
  const nested = (i: number): string => {
    params.push(position[i]);
    if (i === exprs.length - 1) return `${exprs[i]} > ?`;
    const strictly = `${exprs[i]} > ?`;
    params.push(position[i]);
    return `${strictly} OR (${exprs[i]} = ? AND (${nested(i + 1)}))`;
  };
  const body = nested(0);
  return { sql: `${exprs[0]} >= ? AND (${body})`, params };
}

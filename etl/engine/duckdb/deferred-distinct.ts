import type { BuiltTable } from '../../tables';

/**
 * A zone's DISTINCT that DuckDB may leave out, and run only when the written
 * rows show it was needed. accelerometer_trusted deduplicates its readings
 * (4 M at 100×) before joining their customer and sorting them: the DISTINCT's
 * hash table and the sort both hold every row inside the build's memory limit,
 * and without the DISTINCT the statement costs ~40% less CPU. A landing with
 * no repeated reading (a clean export, the generated lakes) gains nothing from it.
 *
 * Exact, not a guess: the DISTINCT is over exactly the table's key columns,
 * which reach the output unchanged, and every later step (join, filter) works
 * row by row. So if the rows written without it repeat no key, each reading
 * was there once and the DISTINCT would have removed nothing: the same rows,
 * and (the sort being over a key the serial determines) the same order. The
 * proof is the table's uniqueness screen (`duplicateScreen`), which the checks
 * run anyway: equal keys hash alike, as DuckDB's own DISTINCT groups them.
 * A repeated hash (a duplicate, or a collision) writes the table again with
 * the zone SQL as it is.
 */
const DEFERRABLE: Partial<Record<BuiltTable, string>> = {
  accelerometer_trusted: 'SELECT DISTINCT * FROM renamed',
};

/** The zone SELECT without its deferrable DISTINCT, or undefined when the text has not exactly one (then it runs as written). */
export function withoutDistinct(table: BuiltTable, select: string): string | undefined {
  const distinct = DEFERRABLE[table];
  if (!distinct) return undefined;
  const parts = select.split(distinct);
  if (parts.length !== 2) return undefined;
  return parts.join(distinct.replace('SELECT DISTINCT', 'SELECT'));
}

import type { Column } from '../tables';
import type { LandingSink, QuarantinedLine } from './landing-reader';
import type { FieldValue } from './strict-record';

/**
 * Accepted records gathered into column batches (one DuckDB vector each):
 * strings as arrays, numbers in a Float64Array with NaN for null (the reader
 * never accepts NaN), so a batch can cross to another thread by transfer.
 */

export const BATCH_ROWS = 2048;

export type ColumnBatch = Array<Array<string | null> | Float64Array>;

/** A reader sink that hands `emit` each full batch; call flush() at the end for the last one. */
export function batchingSink(columns: readonly Column[], emit: (batch: ColumnBatch, rows: number) => void, quarantine: (line: QuarantinedLine) => void): LandingSink & { flush(): void } {
  const fresh = (): ColumnBatch => columns.map((c) => (c.type === 'VARCHAR' ? new Array<string | null>(BATCH_ROWS) : new Float64Array(BATCH_ROWS)));
  let batch = fresh();
  let rows = 0;
  const flush = (): void => {
    if (rows === 0) return;
    emit(batch, rows);
    batch = fresh();
    rows = 0;
  };
  return {
    accept(values: readonly FieldValue[]) {
      for (let c = 0; c < values.length; c += 1) {
        const column = batch[c];
        const value = values[c];
        if (column instanceof Float64Array) column[rows] = value === null ? NaN : (value as number);
        else column[rows] = value as string | null;
      }
      rows += 1;
      if (rows === BATCH_ROWS) flush();
    },
    quarantine,
    flush,
  };
}

import type { Column } from '../tables';
import type { LandingSink, QuarantinedLine } from './landing-reader';
import type { FieldValue } from './record-schema';

/**
 * Accepted records gathered into column batches, laid out as Parquet's plain
 * values so a batch reaches a landing file by memory copy (landing-parquet.ts):
 * numbers as 8-byte little-endian values (DOUBLE as float64, BIGINT as int64),
 * strings as codes into the batch's `runs` (a value repeated on the next row
 * is kept once: landing files hold each user's and device's readings
 * together), nulls in a validity bitmap (bit set: a value).
 */

export const BATCH_ROWS = 2048;

// Typed arrays write in the platform's byte order; Parquet's is little-endian (landing-parquet.ts refuses others).
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 2 ** 32;

export interface NumberColumn {
  kind: 'number';
  /** BATCH_ROWS float64 (DOUBLE) or int64 (BIGINT) values. */
  values: ArrayBuffer;
  /** DuckDB's validity bitmap, or null when no row of the batch is null. */
  valid: Uint8Array | null;
}

export interface TextColumn {
  kind: 'text';
  /** Per row: an index into `runs`. */
  codes: Uint32Array;
  /** The distinct values of consecutive rows, in order. */
  runs: string[];
  valid: Uint8Array | null;
}

export type ColumnBatch = Array<NumberColumn | TextColumn>;

/** A reader sink that hands `emit` each full batch; call flush() at the end for the last one. */
export function batchingSink(columns: readonly Column[], emit: (batch: ColumnBatch, rows: number) => void, quarantine: (line: QuarantinedLine) => void): LandingSink & { flush(): void } {
  const n = columns.length;
  const isText = columns.map((c) => c.type === 'VARCHAR');
  const isWhole = columns.map((c) => c.type === 'BIGINT');
  let batch: ColumnBatch = [];
  let doubles: Array<Float64Array | undefined> = [];
  let words: Array<Int32Array | undefined> = [];
  let last: Array<string | null | undefined> = [];
  let rows = 0;
  const fresh = (): void => {
    batch = columns.map((c) =>
      c.type === 'VARCHAR'
        ? { kind: 'text' as const, codes: new Uint32Array(BATCH_ROWS), runs: [], valid: null }
        : { kind: 'number' as const, values: new ArrayBuffer(BATCH_ROWS * 8), valid: null },
    );
    doubles = batch.map((c) => (c.kind === 'number' ? new Float64Array(c.values) : undefined));
    words = batch.map((c) => (c.kind === 'number' ? new Int32Array(c.values) : undefined));
    last = new Array(n).fill(undefined);
    rows = 0;
  };
  const setNull = (c: number): void => {
    const column = batch[c];
    column.valid ??= new Uint8Array(BATCH_ROWS / 8).fill(0xff);
    column.valid[rows >> 3] &= ~(1 << (rows & 7));
  };
  fresh();
  const flush = (): void => {
    if (rows === 0) return;
    emit(batch, rows);
    fresh();
  };
  return {
    accept(values: readonly FieldValue[]) {
      for (let c = 0; c < n; c += 1) {
        const value = values[c];
        if (value === null) {
          setNull(c);
          if (isText[c]) (batch[c] as TextColumn).codes[rows] = 0;
        } else if (isText[c]) {
          const column = batch[c] as TextColumn;
          if (value !== last[c]) {
            column.runs.push(value as string);
            last[c] = value as string;
          }
          column.codes[rows] = column.runs.length - 1;
        } else if (!isWhole[c]) doubles[c]![rows] = value as number;
        else if (LITTLE_ENDIAN) {
          // An int64 from a whole double within ±2^53, without a BigInt: high word floored, low word unsigned.
          const high = Math.floor((value as number) / TWO_32);
          words[c]![2 * rows] = (value as number) - high * TWO_32;
          words[c]![2 * rows + 1] = high;
        } else new BigInt64Array((batch[c] as NumberColumn).values)[rows] = BigInt(value as number);
      }
      rows += 1;
      if (rows === BATCH_ROWS) flush();
    },
    quarantine,
    flush,
  };
}

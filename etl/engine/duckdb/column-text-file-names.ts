/** The format of a column text set's files (column-text-files.ts); a set of another format is not read (3: checks of 8 KiB blocks; 2 had 64 KiB). */
export const COLUMN_TEXT_FORMAT = 3;
/** Each row's offsets are 32-bit, one per column. */
export const OFFSET_BYTES = 4;

/** The files of the set kept at `base` (the table's path without extension); a writer writes `.tmp` ones first. */
export const columnTextFileNames = (base: string) => ({
  meta: `${base}.batch.json`,
  rows: `${base}.batch.rows`,
  column: (c: number) => `${base}.batch.${c}`,
  /** Each file's block checks (column-text-checks.ts): the columns' in order, then the rows file's. */
  checks: `${base}.batch.crc`,
  lock: `${base}.batch.lock`,
});

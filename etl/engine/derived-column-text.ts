/**
 * A kept version's table held beside it as the JSON text of each column's
 * values, in an order the writer chose, so a server can send rows [i, j) of
 * a column as one slice of bytes instead of reading and writing the values
 * again. The server decides what the texts are and when to write them; the
 * engine owns where and how they are stored (files beside the version's
 * table for DuckDB, removed with the version). Engines without a local lake
 * do not offer it (Engine.derivedColumnText).
 */

/** What a complete set holds; written last, so a set without it is incomplete. */
export interface ColumnTextMeta {
  version: string;
  rows: number;
  columns: readonly string[];
  /** The writer's digest of what the texts were made from (the server compares it with what it serves). */
  digest: string;
}

/** Where the texts of some rows of one column are: `length` bytes from `start`, the values' texts joined by commas. */
export interface ColumnTextSpan {
  start: number;
  length: number;
}

/** A complete set, open for reading (reads are synchronous positioned reads: a page is a few of them). */
export interface ColumnTextReader {
  readonly meta: ColumnTextMeta;
  /** For each column, the span of rows [from, to) (0 <= from <= to <= rows). */
  spans(from: number, to: number): ColumnTextSpan[];
  /** Copies `span` of column `column` into `into` at `at`. Throws when the stored text ends before the span does. */
  read(column: number, span: ColumnTextSpan, into: Uint8Array, at: number): void;
  close(): void;
}

/** Writes a set row chunk by row chunk; nothing is visible to readers until finish. */
export interface ColumnTextWriter {
  /** Appends rows: `texts[c][r]` is row r's text in column c. False (nothing written) when a column would outgrow the format. */
  append(texts: readonly (readonly string[])[]): Promise<boolean>;
  /** Completes the set (its meta last) and gives up the writer's lock. */
  finish(digest: string): Promise<void>;
  /** Leaves the set incomplete (what was written is removed) and gives up the lock. */
  abandon(): Promise<void>;
}

/** The column text of one table of one kept version. */
export interface DerivedColumnText {
  /**
   * The complete set written for these columns of this version; undefined when there is none, or it is damaged or short.
   * The engine closes it once the version expires (its files are deleted, and an open one would keep their disk space).
   */
  open(columns: readonly string[]): ColumnTextReader | undefined;
  /**
   * A writer, holding the set's lock across processes until it finishes or is abandoned; undefined when
   * another live process holds the lock or a complete set for these columns exists already.
   */
  startWrite(columns: readonly string[]): Promise<ColumnTextWriter | undefined>;
}

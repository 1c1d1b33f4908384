import type { Column, ColumnType } from '../tables';

/** A landing record's declared fields, compiled for the parsers (strict-record.ts, fast-record.ts). */

export type FieldValue = string | number | null;

/** A declared schema compiled for the parser. */
export class RecordSchema {
  readonly index = new Map<string, number>();
  readonly names: readonly string[];
  readonly types: readonly ColumnType[];
  readonly required: readonly boolean[];
  /** Per column: the most UTF-8 bytes its string may take (Infinity: no limit). */
  readonly maxBytes: readonly number[];
  constructor(readonly columns: readonly Column[]) {
    columns.forEach((c, i) => this.index.set(c.name, i));
    this.names = columns.map((c) => c.name);
    this.types = columns.map((c) => c.type);
    this.required = columns.map((c) => c.required);
    this.maxBytes = columns.map((c) => c.maxBytes ?? Infinity);
  }
}

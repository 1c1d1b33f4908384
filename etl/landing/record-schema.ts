import type { Column, ColumnType } from '../tables';
import { MIN_EPOCH_MS, keySpellingOf } from './landing-rules';

/** A landing record's declared fields, compiled for the parsers (strict-record.ts, fast-record.ts). */

export type FieldValue = string | number | null;

/** A declared schema compiled for the parser. */
export class RecordSchema {
  readonly index = new Map<string, number>();
  /** The declared fields by their keys' spelling (keySpellingOf): another key of that spelling is a respelling. */
  readonly spelled = new Map<string, number>();
  readonly names: readonly string[];
  readonly types: readonly ColumnType[];
  readonly required: readonly boolean[];
  /** Per column: the most UTF-8 bytes its string may take (Infinity: no limit). */
  readonly maxBytes: readonly number[];
  /** Per column: the least whole number it may hold (MIN_EPOCH_MS for a date, else -Infinity). */
  readonly minWhole: readonly number[];
  /** Per column: whether its string must be visible ASCII (a customer's serialNumber). */
  readonly visibleAscii: readonly boolean[];
  constructor(readonly columns: readonly Column[]) {
    columns.forEach((c, i) => this.index.set(c.name, i));
    columns.forEach((c, i) => this.spelled.set(keySpellingOf(c.name), i));
    this.names = columns.map((c) => c.name);
    this.types = columns.map((c) => c.type);
    this.required = columns.map((c) => c.required);
    this.maxBytes = columns.map((c) => c.maxBytes ?? Infinity);
    this.minWhole = columns.map((c) => (c.epochMs ? MIN_EPOCH_MS : -Infinity));
    this.visibleAscii = columns.map((c) => c.visibleAscii === true);
  }
}

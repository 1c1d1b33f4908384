import { SOURCES, type Source } from '../tables';
import { type LandingRecord, formatRecord, requiredFields } from './landing-lines';
import type { Random } from './random';

/**
 * `--dirty`: bad lines mixed in after clean ones. Every kind but `duplicate`
 * is quarantined by the build; a duplicate is an exact copy of the clean line
 * before it, which the build removes.
 */
export const BAD_LINE_KINDS = ['malformed', 'missingField', 'wrongType', 'duplicate'] as const;
export type BadLineKind = (typeof BAD_LINE_KINDS)[number];
export type BadLineCounts = Record<BadLineKind, number>;

export const noBadLines = (): BadLineCounts => ({ malformed: 0, missingField: 0, wrongType: 0, duplicate: 0 });

/** The bad lines a build must quarantine: all but the duplicates. */
export const quarantinable = (counts: BadLineCounts): number => counts.malformed + counts.missingField + counts.wrongType;

export class BadLineMixer {
  readonly counts = Object.fromEntries(SOURCES.map((s) => [s, noBadLines()])) as Record<Source, BadLineCounts>;

  /** `fraction`: the chance that a clean line is followed by a bad one. */
  constructor(
    private readonly random: Random,
    private readonly fraction: number,
  ) {}

  /** Whether a bad line follows the clean line just written, and of which kind. */
  roll(source: Source): BadLineKind | undefined {
    if (this.fraction === 0 || !this.random.chance(this.fraction)) return undefined;
    const kind = this.random.pick(BAD_LINE_KINDS);
    this.counts[source][kind] += 1;
    return kind;
  }

  /** The bad line of `kind` made from a clean record and its line. */
  spoil(kind: BadLineKind, source: Source, record: LandingRecord, line: string): string {
    switch (kind) {
      case 'duplicate':
        return line;
      case 'malformed':
        return this.malformed(record, line);
      case 'missingField':
        return formatRecord(source, this.withoutField(source, record));
      case 'wrongType':
        return formatRecord(source, this.withWrongType(source, record));
    }
  }

  // A line cut short (as by an interrupted write) or Python's repr instead of JSON: neither parses.
  private malformed(record: LandingRecord, line: string): string {
    if (this.random.chance(0.5)) return line.slice(0, this.random.int(1, line.length - 1));
    return `{${Object.entries(record)
      .map(([k, v]) => `'${k}': ${typeof v === 'string' ? `'${v}'` : String(v)}`)
      .join(', ')}}`;
  }

  private withoutField(source: Source, record: LandingRecord): LandingRecord {
    const field = this.random.pick(requiredFields(source)).name;
    if (this.random.chance(0.5)) return { ...record, [field]: null };
    const copy = { ...record };
    delete copy[field];
    return copy;
  }

  private withWrongType(source: Source, record: LandingRecord): LandingRecord {
    const column = this.random.pick(requiredFields(source));
    const value = record[column.name];
    const asString = this.random.chance(0.5);
    const wrong =
      column.type === 'VARCHAR'
        ? this.random.int(1, 99_999)
        : asString
          ? String(value)
          : column.type === 'BIGINT'
            ? (value as number) + 0.5
            : true;
    return { ...record, [column.name]: wrong };
  }
}

import { CONSENT_POLICIES, type ConsentPolicy } from './consent-policy';
import { SOURCES, type Source, TABLE_NAMES, type TableName } from './tables';
import { isVersionId } from './version';
import { terminalText } from './terminal-text';
import { type Check, count, isObject, list, oneOf, optional, record, sameFor, sha256, show, text, time } from './json-checks';

/**
 * What a build leaves behind: one `VersionManifest` per kept version, newest
 * first, in a single manifest document that is replaced atomically. Readers
 * resolve every table through it, so a version is live exactly when the
 * manifest names it first. The types and the schema that checks a read
 * manifest live together here; the build and every engine use this module.
 */

export const MANIFEST_FORMAT = 2;

export interface FileChecksum {
  bytes: number;
  sha256: string;
}

export interface TableVersion extends Partial<FileChecksum> {
  rows: number;
  /**
   * Where the table's data lives: on a local lake, relative to the lake folder
   * (format 1 stored absolute paths); an S3 prefix on Athena; for landing
   * tables, the landing folder. `bytes` and `sha256` are checked on load.
   */
  location: string;
}

export interface LandingCount {
  /** Every line of the landing files: accepted + quarantined + blank. */
  lines: number;
  accepted: number;
  quarantined: number;
  /** Empty or whitespace-only lines, skipped (absent in manifests of older builds). */
  blank?: number;
  /** Customer source: customers hidden because a quarantined line makes their consent uncertain. */
  uncertain?: number;
  /** Quarantined lines per reason, most frequent first; reason text and counts only, never line content (absent in older builds). */
  quarantineReasons?: QuarantineReasonCount[];
}

export interface QuarantineReasonCount {
  reason: string;
  count: number;
  /** A compressed file's reason only: the files its lines are in (absent in manifests of older builds: one line per file). */
  files?: number;
}

export interface CheckResult {
  name: string;
  description: string;
  violations: number;
}

export interface VersionManifest {
  version: string;
  engine: string;
  consentPolicy: ConsentPolicy;
  /** The landing folder (or prefix) this version was built from; relative to the lake when inside it. */
  landing: string;
  startedAt: string;
  builtAt: string;
  durationMs: number;
  tables: Record<TableName, TableVersion>;
  landingCounts: Record<Source, LandingCount>;
  /** serialNumbers claimed by two or more emails: their readings are left out of the trusted zone. */
  ambiguousSerials?: number;
  /** Where the quarantined landing lines of this version were written. */
  quarantine: string;
  checks: CheckResult[];
  /**
   * A random secret of this version's, never served: it keys the consent marks of its cursors (consent-mark.ts), so a
   * client cannot write a mark for a position of its choosing and learn from the answers whom consent hides. Absent
   * from versions built before it (their marks are unkeyed).
   */
  cursorKey?: string;
}

export interface LakeManifest {
  formatVersion: 1 | 2;
  /** Kept versions, newest (the live one) first. */
  versions: VersionManifest[];
}

/** A manifest that is not what a build writes: named, explained, never a reason to delete data. */
export class ManifestError extends Error {
  constructor(
    readonly where: string,
    readonly detail: string,
    /** What to do; an engine that cannot set the broken manifest aside says its own fix. */
    fix = 'restore it from a copy, or run `stedi build` (it keeps the broken file beside it and deletes no data)',
  ) {
    super(`the lake manifest ${where} ${detail}; ${fix}`);
    this.name = 'ManifestError';
  }
}

export const liveVersion = (manifest: LakeManifest): VersionManifest | undefined => manifest.versions[0];

/**
 * The manifest after publishing `next`: it goes first and only `keep` versions
 * stay; versions named in `drop` (found damaged) expire whatever their age.
 */
export function publish(
  manifest: LakeManifest | null,
  next: VersionManifest,
  keep: number,
  drop: ReadonlySet<string> = new Set(),
): { manifest: LakeManifest; expired: VersionManifest[] } {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`versions to keep must be a whole number of at least 1; received ${keep}`);
  const previous = (manifest?.versions ?? []).filter((v) => v.version !== next.version);
  const healthy = previous.filter((v) => !drop.has(v.version));
  const versions = [next, ...healthy];
  const expired = [...versions.slice(keep), ...previous.filter((v) => drop.has(v.version))];
  return { manifest: { formatVersion: MANIFEST_FORMAT, versions: versions.slice(0, keep) }, expired };
}

export function parseManifest(text: string, where: string): LakeManifest {
  if (text.trim() === '') throw new ManifestError(where, 'is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(where, `is not valid JSON (${terminalText((error as Error).message)})`);
  }
  const problem = manifestProblem(parsed);
  if (problem) throw new ManifestError(where, `is not valid: ${problem}`);
  return parsed as LakeManifest;
}

// Private: the schema, built of json-checks.ts's checks.
const versionId: Check = (v, p) => (typeof v === 'string' && isVersionId(v) ? undefined : `${p} must be a version id such as 20260101t000000000z_a1b2 (found ${show(v)})`);

const tableVersion = record({ rows: count, location: text, bytes: optional(count), sha256: optional(sha256) });
const reasonCount = record({ reason: text, count, files: optional(count) });
const landingCount = record({
  lines: count,
  accepted: count,
  quarantined: count,
  blank: optional(count),
  uncertain: optional(count),
  quarantineReasons: optional(list(reasonCount, 0)),
});
const checkResult = record({ name: text, description: text, violations: count });

const versionManifest = record({
  version: versionId,
  engine: oneOf(['duckdb', 'athena']),
  consentPolicy: oneOf(CONSENT_POLICIES),
  landing: text,
  startedAt: time,
  builtAt: time,
  durationMs: count,
  tables: sameFor(TABLE_NAMES, tableVersion),
  landingCounts: sameFor(SOURCES, landingCount),
  ambiguousSerials: optional(count),
  quarantine: text,
  checks: list(checkResult, 0),
  cursorKey: optional(text),
});

function manifestProblem(value: unknown): string | undefined {
  if (isObject(value) && value.formatVersion !== 1 && value.formatVersion !== MANIFEST_FORMAT) {
    const newer = typeof value.formatVersion === 'number' && value.formatVersion > MANIFEST_FORMAT ? '; a newer stedi wrote it: upgrade' : '';
    return `manifest.formatVersion must be 1 or ${MANIFEST_FORMAT} (found ${show(value.formatVersion)})${newer}`;
  }
  const problem = record({ formatVersion: () => undefined, versions: list(versionManifest, 1) })(value, 'manifest');
  if (problem) return problem;
  const ids = (value as { versions: VersionManifest[] }).versions.map((v) => v.version);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  return twice === undefined ? undefined : `manifest.versions names ${twice} twice`;
}

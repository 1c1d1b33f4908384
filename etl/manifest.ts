import type { ConsentPolicy } from './consent-policy';
import type { Source, TableName } from './tables';

/**
 * What a build leaves behind: one `VersionManifest` per kept version, newest
 * first, in a single manifest document that is replaced atomically. Readers
 * resolve every table through it, so a version is live exactly when the
 * manifest names it first.
 */

export interface TableVersion {
  rows: number;
  /** Where the table's data lives (a folder or S3 prefix; for landing tables, the landing folder). */
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
  /** The landing folder (or prefix) this version was built from. */
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
}

export interface LakeManifest {
  formatVersion: 1;
  /** Kept versions, newest (the live one) first. */
  versions: VersionManifest[];
}

export const liveVersion = (manifest: LakeManifest): VersionManifest | undefined => manifest.versions[0];

/** The manifest after publishing `next`: it goes first and only `keep` versions stay. */
export function publish(manifest: LakeManifest | null, next: VersionManifest, keep: number): { manifest: LakeManifest; expired: VersionManifest[] } {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`versions to keep must be a whole number of at least 1; received ${keep}`);
  const previous = (manifest?.versions ?? []).filter((v) => v.version !== next.version);
  const versions = [next, ...previous];
  return { manifest: { formatVersion: 1, versions: versions.slice(0, keep) }, expired: versions.slice(keep) };
}

export function parseManifest(text: string, where: string): LakeManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`the lake manifest ${where} is not valid JSON (${(error as Error).message}); restore it or rebuild the lake`);
  }
  const m = parsed as Partial<LakeManifest>;
  if (m?.formatVersion !== 1 || !Array.isArray(m.versions)) {
    throw new Error(`the lake manifest ${where} is not a stedi-lakehouse manifest of format 1`);
  }
  return m as LakeManifest;
}

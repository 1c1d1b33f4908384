import type { LakeManifest, VersionManifest } from '../../etl/manifest';
import { SOURCES, TABLE_NAMES } from '../../etl/tables';

/** A kept version entry that passes the manifest schema; `overrides` replace any field. */
export function versionEntry(version: string, overrides: Partial<VersionManifest> = {}): VersionManifest {
  return {
    version,
    engine: 'duckdb',
    consentPolicy: 'any',
    landing: '.',
    startedAt: '2026-01-01T00:00:00.000Z',
    builtAt: '2026-01-01T00:00:01.000Z',
    durationMs: 1_000,
    tables: Object.fromEntries(TABLE_NAMES.map((t) => [t, { rows: 0, location: t }])) as VersionManifest['tables'],
    landingCounts: Object.fromEntries(SOURCES.map((s) => [s, { lines: 0, accepted: 0, quarantined: 0 }])) as VersionManifest['landingCounts'],
    quarantine: '_quarantine',
    checks: [],
    ...overrides,
  };
}

export const manifestOfVersions = (...versions: string[]): LakeManifest => ({ formatVersion: 2, versions: versions.map((v) => versionEntry(v)) });

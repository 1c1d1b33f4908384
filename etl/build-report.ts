import { isAbsolute, join } from 'node:path';
import type { QuarantineReasonCount, VersionManifest } from './manifest';
import { SOURCES, TABLE_NAMES, type Source, type TableName } from './tables';

/** The one JSON object `stedi build --json` prints. */
export interface BuildReport {
  version: string;
  engine: string;
  consentPolicy: string;
  tables: Record<TableName, { rows: number }>;
  quarantined: Record<Source, number>;
  /** Per source, its quarantined lines per reason, most frequent first (empty for a version built before reasons were counted). */
  quarantineReasons: Record<Source, QuarantineReasonCount[]>;
  blank: Record<Source, number>;
  /** Customers hidden because a quarantined line makes their consent uncertain. */
  consentUncertain: number;
  /** serialNumbers two emails claim; their readings are left out. */
  ambiguousSerials: number;
  quarantine: string;
  /** When the build took the lake's lock, and when it had built everything (just before publishing). */
  startedAt: string;
  builtAt: string;
  durationMs: number;
}

/** `lake`: the lake folder, to show the quarantine (recorded relative to it) as a path the user can open. */
export function buildReport(manifest: VersionManifest, lake?: string): BuildReport {
  const tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, { rows: manifest.tables[t].rows }])) as BuildReport['tables'];
  const quarantined = Object.fromEntries(SOURCES.map((s) => [s, manifest.landingCounts[s].quarantined])) as BuildReport['quarantined'];
  const quarantineReasons = Object.fromEntries(SOURCES.map((s) => [s, manifest.landingCounts[s].quarantineReasons ?? []])) as BuildReport['quarantineReasons'];
  const blank = Object.fromEntries(SOURCES.map((s) => [s, manifest.landingCounts[s].blank ?? 0])) as BuildReport['blank'];
  return {
    version: manifest.version,
    engine: manifest.engine,
    consentPolicy: manifest.consentPolicy,
    tables,
    quarantined,
    quarantineReasons,
    blank,
    consentUncertain: manifest.landingCounts.customer.uncertain ?? 0,
    ambiguousSerials: manifest.ambiguousSerials ?? 0,
    quarantine: lake === undefined || isAbsolute(manifest.quarantine) || manifest.quarantine.startsWith('s3://') ? manifest.quarantine : join(lake, manifest.quarantine),
    startedAt: manifest.startedAt,
    builtAt: manifest.builtAt,
    durationMs: manifest.durationMs,
  };
}

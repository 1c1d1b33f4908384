import type { VersionManifest } from './manifest';
import { SOURCES, TABLE_NAMES, type Source, type TableName } from './tables';

/** The one JSON object `stedi build --json` prints. */
export interface BuildReport {
  version: string;
  engine: string;
  consentPolicy: string;
  tables: Record<TableName, { rows: number }>;
  quarantined: Record<Source, number>;
  blank: Record<Source, number>;
  /** Customers hidden because a quarantined line makes their consent uncertain. */
  consentUncertain: number;
  /** serialNumbers two emails claim; their readings are left out. */
  ambiguousSerials: number;
  quarantine: string;
  durationMs: number;
}

export function buildReport(manifest: VersionManifest): BuildReport {
  const tables = Object.fromEntries(TABLE_NAMES.map((t) => [t, { rows: manifest.tables[t].rows }])) as BuildReport['tables'];
  const quarantined = Object.fromEntries(SOURCES.map((s) => [s, manifest.landingCounts[s].quarantined])) as BuildReport['quarantined'];
  const blank = Object.fromEntries(SOURCES.map((s) => [s, manifest.landingCounts[s].blank ?? 0])) as BuildReport['blank'];
  return {
    version: manifest.version,
    engine: manifest.engine,
    consentPolicy: manifest.consentPolicy,
    tables,
    quarantined,
    blank,
    consentUncertain: manifest.landingCounts.customer.uncertain ?? 0,
    ambiguousSerials: manifest.ambiguousSerials ?? 0,
    quarantine: manifest.quarantine,
    durationMs: manifest.durationMs,
  };
}

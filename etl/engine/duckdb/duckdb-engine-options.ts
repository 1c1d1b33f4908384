import type { ManifestError } from '../../manifest';
import type { DuckDbInstanceOptions } from './duckdb-instance';

/** What it takes to run the lake on the embedded engine (duckdb-engine.ts); the caller fills it from the configuration. */
export interface DuckDbEngineOptions extends DuckDbInstanceOptions {
  lake: string;
  /** The folder holding `<source>/landing/`; defaults to the one the live version was built from, else the lake folder. */
  landing?: string;
  queryTimeoutMs?: number;
  /** Time limit of loading one version into memory (apart from the per-query limit). */
  loadTimeoutMs?: number;
  /** Load and start DuckDB on the first query, not at open: a cluster's primary only reads the manifest and never queries. */
  lazy?: boolean;
  /** Told when the manifest is damaged and its copy is served (a server logs it); the CLI's status says it from manifestDamage. */
  onManifestDamage?: (damage: ManifestError) => void;
}

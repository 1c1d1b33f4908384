import type { BuildOptions } from '../build-options';
import type { LandingSink, LandingTally, ReadOptions } from '../landing/landing-reader';
import type { LakeManifest, ManifestError, VersionManifest } from '../manifest';
import type { BuiltTable, Source, TableName } from '../tables';
import type { BuildTarget } from './build-target';
import type { DerivedColumnText } from './derived-column-text';

/**
 * The one seam between the lake's logic and where it runs. `etl/build.ts`
 * drives a build through a `BuildTarget`; the API reads through an `Engine`.
 * DuckDB and Athena each implement both; nothing else knows which one runs.
 */

export type EngineKind = 'duckdb' | 'athena';
export type SqlValue = string | number | boolean | null;
export type Row = Record<string, unknown>;

/** A result as one array per column (same names and values as `query`'s rows), with no object per row. */
export interface ColumnarResult {
  rowCount: number;
  columns: Record<string, unknown[]>;
}

/** One device's page of a table an engine may hold in memory (Engine.heldPage): what the SQL keyset page of that serial would answer. */
export interface HeldPageRequest {
  table: BuiltTable;
  version: string;
  serial: string;
  /** Serials consent hides in this version: none of their rows is answered. */
  exclusions: readonly string[];
  /** Inclusive bounds on one column (epoch milliseconds), either optional. */
  range?: { column: string; from?: number | null; to?: number | null };
  /** Rows strictly after this position of the table's key order (serialNumber first). */
  after?: readonly (string | number)[];
  limit: number;
}

export interface QueryOptions {
  /** Give up (and cancel the query) after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type ExportFormat = 'parquet' | 'csv' | 'ndjson';

/** The few SQL expressions the two dialects spell differently. */
export interface SqlDialect {
  /**
   * An integer 0–99 from the first 8 hex digits of md5(textExpr), the same
   * number on every engine and in JS: parseInt(md5hex(text).slice(0, 8), 16) % 100.
   */
  bucket100(textExpr: string): string;
  /**
   * A safe integer (0 ≤ n < 2^53) standing for a text within one process: equal texts give equal numbers
   * (different texts may too; a reader checks its own set of texts for that). Reading it is far cheaper than
   * the text (a column page's serials). None: the engine reads texts only.
   */
  textKey?(textExpr: string): string;
}

/** A landing source's files (or objects) as stat-ed at one moment; the same `key` later means none was added, removed, replaced or written. */
export interface LandingIdentity {
  key: string;
  /** The latest modification or change time among the files (ms since the epoch). */
  changedAtMs: number;
}

/** What an engine knows of one kept version: loaded and readable, not yet asked for, or damaged (with why). */
export interface VersionState {
  state: 'loaded' | 'loading' | 'not loaded' | 'damaged';
  damage?: string;
}

/** The read side: what the API and the CLI's `status` need. */
export interface Engine {
  readonly kind: EngineKind;
  readonly dialect: SqlDialect;
  /**
   * True when a version's tables are stored in the API's keyset order with
   * min/max per row group, so a filter on the key skips whole row groups (DuckDB).
   */
  readonly keyOrderedStorage?: boolean;
  /** The manifest as it is now, or null before the first build. */
  manifest(): Promise<LakeManifest | null>;
  /** The manifest's damage when manifest() answered from its copy (DuckDB: local-manifest.ts's manifestCopyOf). */
  manifestDamage?(): ManifestError | undefined;
  /**
   * A SQL reference to `table` as of `version` (which must be kept); landing
   * tables ignore the version and read the landing data as it is now.
   */
  tableRef(table: TableName, version: string): Promise<string>;
  /**
   * A SQL reference to the emails (one column, "email") whose consent a quarantined customer
   * landing line makes uncertain, read from the landing as it is now (doubt hides), for engines
   * without readLanding (whose tally carries them).
   */
  consentUncertainRef?(): Promise<string>;
  /**
   * Beside it, a SQL relation of the devices ("email", "device") customers' older records name that a quarantined
   * line puts in doubt (consent-doubt.ts heldInDoubt), read from the landing as it is now.
   */
  heldInDoubtRef?(): Promise<string>;
  /**
   * Read one landing source as it is now through the shared landing reader
   * (the build's rules). Engines whose landing the reader cannot reach yet leave it out.
   */
  readLanding?(source: Source, sink: LandingSink, options?: ReadOptions): Promise<LandingTally>;
  /**
   * What the consent read of `source` would read, stat-ed now: its files' identities (name, inode, size,
   * modification and change times), or on S3 its objects' (key, size, ETag, LastModified) and the live
   * version whose views read them. Rejects when it cannot tell (the read then runs). Engines that cannot
   * tell when landing changed leave it out.
   */
  landingIdentity?(source: Source): Promise<LandingIdentity>;
  /**
   * A SQL reference that reads `table` of `version` where it is stored, without
   * loading the version: for small column projections (the consent registry's
   * serial lists). Engines without a separate load leave it out; tableRef serves.
   */
  scanRef?(table: BuiltTable, version: string): Promise<string>;
  /**
   * Loads a built version the manifest does not name yet (a rebuild about to publish it), so it is
   * ready when the manifest does. tableRef still refuses it until then; scanRef reads it.
   */
  stageVersion?(version: VersionManifest): Promise<void>;
  /** The columns `table` of a loaded (or staged) version serves, known without I/O; undefined when not known. */
  storedColumns?(table: BuiltTable, version: string): readonly string[] | undefined;
  /** What the engine knows of a kept version now (no I/O). */
  versionState?(version: string): VersionState;
  /**
   * Where the server may keep `table` of a kept version as column texts (derived-column-text.ts), stored
   * beside the version and removed with it. Engines without a local lake leave it out.
   */
  derivedColumnText?(table: BuiltTable, version: string): DerivedColumnText;
  /** Checks a kept version's files (presence, size, hash); returns why it is damaged, or null. Marks it damaged. */
  verifyVersion?(version: VersionManifest): Promise<string | null>;
  /** The rows a kept version's own files hold (the embedded engine reads their Parquet footers); a table they do not tell is left out. */
  fileRows?(version: VersionManifest): Promise<Partial<Record<BuiltTable, number>>>;
  /** The landing folder (or prefix) the consent registry and rebuilds read. */
  landingLocation?(): Promise<string>;
  /** The build holding the lake's build lock, or null when none does (`stedi status`). */
  buildLockHolder?(): Promise<BuildLockInfo | null>;
  /**
   * Versions no manifest keeps that a dead build expired but left on disk (killed before removing
   * them): the erasure bound must see them removed, which the next build does.
   */
  abandonedVersions?(): Promise<string[]>;
  /** Versions on disk that neither the manifest keeps nor a build record names (left by a build over a broken manifest). */
  unlistedVersions?(): Promise<string[]>;
  /** Run a query with positional `?` parameters; column names come back as the schema spells them. */
  query(sql: string, params?: SqlValue[], options?: QueryOptions): Promise<Row[]>;
  /** The same as `query`, column by column; optional (callers transpose `query`'s rows without it). */
  queryColumns?(sql: string, params?: SqlValue[], options?: QueryOptions): Promise<ColumnarResult>;
  /**
   * The rows of `request.serial` the keyset page would answer, from a copy the
   * engine holds in memory (small tables only), in the table's key order, with
   * every stored column; undefined when it holds none (run the SQL instead).
   */
  heldPage?(request: HeldPageRequest, options?: QueryOptions): Promise<Row[] | undefined>;
  /** Write a query's result to a local file (export); returns the rows written. */
  exportToFile(sql: string, params: SqlValue[], format: ExportFormat, path: string, options?: QueryOptions): Promise<number>;
  /** Start a build's write side against this engine's lake. */
  buildTarget(options: BuildOptions): Promise<BuildTarget>;
  close(): Promise<void>;
}

/** Who holds a lake's build lock. */
export interface BuildLockInfo {
  /** The holding process and its machine: the embedded engine's lock names them; Athena's S3 lock names `owner` instead. */
  pid?: number;
  host?: string;
  /** What an S3 lock names as its holder (`build <version>`, `stedi doctor`; '' when it names none): no process to check. */
  owner?: string;
  /** When it was taken ('' when the lock does not say). */
  since: string;
  /**
   * False when its holder is gone: a killed process (the next build takes the lock over and removes what it left), or on
   * Athena a lock that looks abandoned (`fix` says what to do); true on Athena otherwise, as no process can be checked.
   */
  running: boolean;
  /** What to do about a lock no build takes over (Athena's, which only a hand deletes). */
  fix?: string;
}

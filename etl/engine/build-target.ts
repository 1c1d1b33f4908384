import type { FileChecksum, LakeManifest, LandingCount, VersionManifest } from '../manifest';
import type { BuiltTable, Source, TableName } from '../tables';
import type { EngineKind, SqlValue } from './engine';

/**
 * The write side of an engine (engine.ts holds the read side): `etl/build.ts` drives a build through it,
 * DuckDB's and Athena's targets implement it.
 */

/** The write side of an engine, used by one build from start to finish. */
export interface BuildTarget {
  readonly engine: EngineKind;
  /** Where the landing data is read from, as recorded in the manifest. */
  readonly landing: string;
  /** Take the build lock and prepare an empty, never-used location for `version`. */
  begin(version: string): Promise<void>;
  /**
   * Read one landing source into `<source>_landing`, quarantining the lines that
   * fail the schema. Called for all sources at once: it must be safe in parallel.
   */
  loadLanding(source: Source): Promise<LandingCount>;
  /** Run a zone SELECT and write its result as the new version of `table`; returns its row count. */
  materialize(table: BuiltTable, select: string, params: SqlValue[]): Promise<number>;
  /** No later step of this build reads the landing `table`: an engine holding it in memory may free it. */
  releaseLanding?(table: TableName): Promise<void>;
  /**
   * Run a check query whose single row has a numeric column `violations`.
   * `unique` names the key the check is about when it is a uniqueness check:
   * an engine may first run a cheaper screen that can only rule duplicates out.
   */
  violations(select: string, unique?: UniqueKey): Promise<number>;
  /**
   * Statements (zones, groups of checks through violationsOfAll) the target may
   * run at once, each as soon as the tables it reads are ready, landing still
   * loading. Unset: one at a time, in catalogue order, once every source is in.
   */
  readonly concurrentSteps?: number;
  /** Of those, how many may be zones (each sorts a whole table): the rest run checks beside them. Unset: any. */
  readonly concurrentZones?: number;
  /** How many violations() calls may run at once (default 1); each answers as if it ran alone. */
  readonly checkConcurrency?: number;
  /**
   * Several check queries at once, answered in order as violations() would
   * answer each: an engine where a statement costs more than its scans runs them as one.
   */
  violationsOfAll?(checks: ReadonlyArray<{ select: string; unique?: UniqueKey }>): Promise<number[]>;
  /** Where a table or the quarantine of the version being built lives. */
  location(table: TableName | 'quarantine'): string;
  /** Size and hash of a built table's stored file, recorded in the manifest and checked on load (local lakes). */
  checksum?(table: BuiltTable): Promise<FileChecksum>;
  /** The manifest as it is now; a manifest that fails its schema throws ManifestError. */
  readManifest(): Promise<LakeManifest | null>;
  /**
   * Keeps a manifest that fails its schema beside it under a new name, so a build can publish over it; returns its
   * good copy, when there is one, for the build to go on from (its kept versions expire as usual).
   */
  setAsideManifest?(): Promise<LakeManifest | null>;
  /** Kept versions of `manifest` whose files are missing or fail their checksum: the build expires them. */
  damagedVersions?(manifest: LakeManifest): Promise<Set<string>>;
  /** Make `manifest` the live one atomically, then remove the data of `expired` versions. */
  publish(manifest: LakeManifest, expired: VersionManifest[]): Promise<void>;
  /** Remove whatever the unfinished version wrote; the live version is untouched. */
  abandon(): Promise<void>;
  /** The build's failure as the user should hear it, once abandon() has run (a full disk: with how much it had written). */
  explainFailure?(error: unknown): unknown;
  /** Release the lock and any resources; always called, after publish or abandon. */
  end(): Promise<void>;
}

/** A table and the columns whose combination must be unique in it. */
export interface UniqueKey {
  table: string;
  key: readonly string[];
}

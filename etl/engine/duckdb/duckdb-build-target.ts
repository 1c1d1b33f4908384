import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type FileChecksum, type LakeManifest, type LandingCount, type VersionManifest } from '../../manifest';
import { type BuiltTable, type Source, TABLES, type TableName } from '../../tables';
import type { BuildTarget, UniqueKey } from '../build-target';
import type { SqlValue } from '../engine';
import { type HeldLock, acquireBuildLock } from './build-lock';
import { pruneEmptyFolders, pruneLakeFolders, removeBuildRecord, removeVersionFolders, runningBuild, versionFolders } from './build-records';
import { startBesideRecord } from './build-start';
import { bytesOnDisk } from './build-footprint';
import { explainBuildFailure, spillFullAsDiskFull } from './build-failure';
import { damagedVersions, fileChecksum } from './file-checks';
import { onLakeFilesystem } from './fs-errors';
import { buildDuckDbConfig, type BuildShape, buildShape, type DuckDbBuildSettings, landingBytes } from './build-settings';
import { BuildConnections } from './build-connections';
import { CheckScreens } from './check-screens';
import { SharedCheckTables } from './shared-check-tables';
import { writeSortedZone } from './sorted-copy';
import { LakeLayout } from './lake-layout';
import { BuildLandingLoads } from './build-landing-loads';
import { readLocalManifest, restoreManifestCopy, setAsideManifest } from './local-manifest';
import { withoutDistinct } from './deferred-distinct';
import { makeFolder } from '../../make-folder';
import { removeExpiringMarks } from './expiring-marks';
import { removeExpired } from './expired-removal';
import { lakeFolderIdentity } from './lake-folder-identity';
import { syncFilesAndFolders, syncFolder } from './durable-files';
import { publishVersion } from './publish-version';

/**
 * A build on DuckDB: a private in-memory database holds the zones while they
 * are computed; each built table is written as Parquet into its own new
 * `v=<version>/` folder, and the manifest rename makes the version live.
 * Everything it records is relative to the lake folder, so the lake can move.
 */
export class DuckDbBuildTarget implements BuildTarget {
  readonly engine = 'duckdb' as const;
  private readonly duckdb = new BuildConnections();
  private version?: string;
  private lock?: HeldLock;
  private published = false;
  /** begin() finished: from here abandon() owns removing the version's folders and record. */
  private started = false;
  private createdLake = false;
  private readonly landingLoads: BuildLandingLoads;
  /** Statements and zones at once (build-settings.ts); set once begin() has finished. */
  private shape?: BuildShape;
  private readonly checks = new CheckScreens((sql) => this.countRow(sql));
  private readonly sharedChecks = new SharedCheckTables((sql) => this.onConnection((connection) => connection.run(sql).then(() => undefined), true));
  /** Bytes the abandoned version and its working files took, counted by abandon() before it removed them. */
  private written?: number;
  /** Built files already flushed to the disk (checksum()). */
  private readonly flushed = new Set<string>();
  /** The lake folder this build began in (lake-folder-identity.ts), once it holds the lock. */
  private lakeAt?: string;

  constructor(
    private readonly layout: LakeLayout,
    private readonly settings: DuckDbBuildSettings = {},
  ) {
    this.landingLoads = new BuildLandingLoads(layout, () => this.requireVersion(), (work) => this.onConnection(work), { maxLineBytes: settings.maxLineBytes, doubtTextBytes: settings.doubtTextBytes });
  }

  get landing(): string {
    return this.layout.recorded(this.layout.landing);
  }

  async begin(version: string): Promise<void> {
    const { lake } = this.layout;
    this.createdLake = !existsSync(lake);
    // Only read: the landing's size decides how the build runs (see CONCURRENT_BELOW_BYTES).
    const sizing = this.settings.background ? undefined : landingBytes(this.layout);
    this.lock = await onLakeFilesystem(this.layout.metaDir, lake, () => acquireBuildLock(this.layout.lockPath, `build ${version}`, { running: () => runningBuild(this.layout) }));
    this.version = version;
    this.lakeAt = lakeFolderIdentity(lake);
    const shape = buildShape(sizing === undefined ? undefined : await sizing, this.settings.threads);
    const config = buildDuckDbConfig(this.layout.spillDir(version), this.settings.memoryLimit, shape.threads);
    // DuckDB starts while the build's record is written, dead builds are cleared beside the landing parse (build-start.ts).
    await startBesideRecord(this.layout, { version, holder: this.lock.holder, expiring: [] }, config, this.duckdb, this.settings.onDeadBuildsCleared);
    // Beside a serving process, parse on this thread: worker threads would take the readers' cores.
    if (!this.settings.background) this.landingLoads.startPool();
    this.shape = shape;
    this.started = true;
  }

  get concurrentSteps(): number | undefined {
    return this.shape?.concurrentSteps;
  }

  get concurrentZones(): number | undefined {
    return this.shape?.concurrentZones;
  }

  loadLanding(source: Source): Promise<LandingCount> {
    return this.landingLoads.load(source);
  }

  async materialize(table: BuiltTable, select: string, params: SqlValue[]): Promise<number> {
    const file = this.layout.tableFile(table, this.requireVersion());
    return onLakeFilesystem(file, this.layout.lake, async () => {
      await makeFolder(this.layout.versionDir(table, this.requireVersion()));
      // Streamed straight to Parquet; later zones read it back from there, so no zone is held in memory.
      // Large builds by default: a small one runs statements side by side, and the real data repeats readings (it would write twice).
      const deferred = (this.settings.deferDistinct ?? this.shape?.concurrentZones === 1) ? withoutDistinct(table, select) : undefined;
      // Its own connection: zones may run at once (concurrentSteps). Run again alone if out of memory: it only overwrites.
      return this.onConnection((connection) => writeSortedZone(connection, { table, select, params, deferred }, file, this.checks), true);
    });
  }

  async releaseLanding(table: TableName): Promise<void> {
    await this.landingLoads.release(table);
  }

  /** Runs `work` on a connection of its own (build-connections.ts); `retryable` work may run again alone. */
  private async onConnection<T>(work: (connection: DuckDBConnection) => Promise<T>, retryable = false): Promise<T> {
    try {
      return await this.duckdb.run(work, retryable);
    } catch (error) {
      throw spillFullAsDiskFull(error, () => this.layout.spillDir(this.requireVersion()));
    }
  }

  /** One statement's one row of counts, on its own connection. */
  private async countRow(sql: string): Promise<number[]> {
    const text = await this.sharedChecks.rewrite(sql);
    return this.onConnection(async (connection) => (await connection.runAndReadAll(text)).getRows()[0].map(Number), true);
  }

  /** Hashed, and flushed to the disk with its folders, while the next steps run: publishing then flushes only the rest. */
  async checksum(table: BuiltTable): Promise<FileChecksum> {
    const file = this.layout.tableFile(table, this.requireVersion());
    const [sum] = await Promise.all([fileChecksum(file), onLakeFilesystem(file, this.layout.lake, () => syncFilesAndFolders([file], this.layout.lake))]);
    this.flushed.add(file);
    return sum;
  }

  /** Checks run two at a time, each on its own connection (the build's views are shared); one beside a serving process. */
  get checkConcurrency(): number {
    return this.settings.background ? 1 : 2;
  }

  violations(select: string, unique?: UniqueKey): Promise<number> {
    return this.checks.violations(select, unique);
  }

  /** Every check in one statement (check-screens.ts), each query on a connection of its own. */
  violationsOfAll(checks: ReadonlyArray<{ select: string; unique?: UniqueKey }>): Promise<number[]> {
    return this.checks.violationsOfAll(checks);
  }

  location(table: TableName | 'quarantine'): string {
    if (table === 'quarantine') return this.layout.recorded(this.layout.quarantineDir(this.requireVersion()));
    return this.layout.recorded(TABLES[table].zone === 'landing' ? this.layout.tableRoot(table) : this.layout.tableFile(table, this.requireVersion()));
  }

  readManifest(): Promise<LakeManifest | null> {
    return readLocalManifest(this.layout.manifestPath, this.layout.lake);
  }

  async setAsideManifest(): Promise<LakeManifest | null> {
    const { manifestPath, lake } = this.layout;
    await onLakeFilesystem(manifestPath, lake, () => setAsideManifest(manifestPath));
    return onLakeFilesystem(manifestPath, lake, () => restoreManifestCopy(manifestPath, lake));
  }

  damagedVersions(manifest: LakeManifest): Promise<Set<string>> {
    return damagedVersions(this.layout, manifest);
  }

  async publish(manifest: LakeManifest, expired: VersionManifest[]): Promise<void> {
    await this.duckdb.ready();
    const version = this.requireVersion();
    const expiring = expired.map((v) => v.version);
    await publishVersion(this.layout, { version, holder: this.lock!.holder, lakeAt: this.lakeAt, expiring, flushed: this.flushed }, manifest, () => this.duckdb.close());
    this.published = true;
    // Live already: a folder that will not sync only leaves the rename to the disk's own time (no folder to fail for it).
    await syncFolder(this.layout.metaDir).catch(() => undefined);
    // The new version is live: a failure from here on leaves only garbage, which the record lets the next build remove.
    await removeExpired(this.layout, version, expiring, this.settings.onLeftBehind);
  }

  async abandon(): Promise<void> {
    if (this.published || !this.version) return;
    this.written = await bytesOnDisk([...versionFolders(this.layout, this.version), this.layout.spillDir(this.version)]);
    await removeVersionFolders(this.layout, this.version);
    await removeExpiringMarks(this.layout, this.version);
    await removeBuildRecord(this.layout, this.version);
  }

  explainFailure(error: unknown): unknown {
    return explainBuildFailure(error, this.layout.lake, this.lakeAt, this.written);
  }

  async end(): Promise<void> {
    // DuckDB may still be starting, and dead builds being cleared, if the build failed early: both settle before anything closes.
    await this.duckdb.ready().catch(() => undefined);
    await this.landingLoads.close();
    this.duckdb.close();
    if (this.version) await rm(this.layout.spillDir(this.version), { recursive: true, force: true }).catch(() => undefined);
    // A start that failed after writing its record: nothing else of it exists yet.
    if (this.version && !this.started) await removeBuildRecord(this.layout, this.version).catch(() => undefined);
    // Only a build that held the lock tidies: emptied folders while it still holds it, so no other build
    // is creating them meanwhile; the lock's own folder (and a lake it created) after release, when empty.
    if (!this.lock) return;
    await pruneEmptyFolders(this.layout);
    await this.lock.release();
    this.lock = undefined;
    if (!this.published) await pruneLakeFolders(this.layout, this.createdLake);
  }

  private requireVersion(): string {
    if (!this.version) throw new Error('DuckDbBuildTarget used before begin()');
    return this.version;
  }
}

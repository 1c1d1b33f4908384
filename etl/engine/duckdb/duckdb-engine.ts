import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BuildOptions } from '../../build-options';
import type { DerivedColumnText } from '../derived-column-text';
import { ColumnTextFiles } from './column-text-files';
import type { LandingSink, LandingTally, ReadOptions } from '../../landing/landing-reader';
import type { LakeManifest, ManifestError, VersionManifest } from '../../manifest';
import { type BuiltTable, type Source, TABLES, type TableName } from '../../tables';
import type { BuildTarget } from '../build-target';
import type { BuildLockInfo, ColumnarResult, Engine, ExportFormat, HeldPageRequest, LandingIdentity, QueryOptions, Row, SqlValue, VersionState } from '../engine';
import { holderState, readHolder } from './lock-holder';
import { runningBuild } from './build-records';
import { abandonedVersions, unlistedVersions } from './leftover-versions';
import { HeldTable, HeldTables, heldOrder, mayHold } from './held-tables';
import { LakeDamagedError, StaleVersionError } from '../engine-errors';
import { ServedVersions } from './served-versions';
import { refuseUnpairedSurrogates } from '../text-parameters';
import { VersionLoader } from './version-loader';
import { schemaOf } from './version-schema';
import type { DuckDbEngineOptions } from './duckdb-engine-options';
import { DuckDbConnections } from './duckdb-connections';
import { EngineLanding } from './engine-landing';
import { ManifestWatch } from './manifest-watch';
import { OpenColumnTexts } from './open-column-texts';
import { lakeInTheWay } from './fs-errors';
import { LakeLayout } from './lake-layout';
import { sqlStringLiteral } from './landing-sql';
import { duckDbDialect } from './duckdb-dialect';
import { copyToFile } from './copy-to-file';

/**
 * The embedded engine. A kept version is loaded into memory when first asked
 * for (`VersionLoader`), so a cursor pinned to a version reads the same rows
 * until that version expires; one that cannot be read is damaged: its cursors
 * are stale, and if it is the live one the lake says so (LAKE_DAMAGED).
 */
export class DuckDbEngine implements Engine {
  readonly kind = 'duckdb' as const;
  readonly dialect = duckDbDialect;
  readonly keyOrderedStorage = true;
  readonly layout: LakeLayout;
  private readonly versions: VersionLoader;
  private readonly manifestWatch: ManifestWatch;
  private readonly connections: DuckDbConnections;
  private readonly landing: EngineLanding;
  /** Small tables of kept versions held in JS memory. */
  private readonly held = new HeldTables((table, version, options) => this.readHeld(table, version, options));
  /** Versions the manifest kept when last read. */
  private keptNow = new Set<string>();
  private readonly texts = new OpenColumnTexts();
  private readonly served: ServedVersions;

  private constructor(options: DuckDbEngineOptions) {
    this.layout = new LakeLayout(options.lake, options.landing ?? options.lake);
    this.connections = new DuckDbConnections(options);
    this.versions = new VersionLoader(this.layout, (o, work) => this.withConnection(o, work), options.loadTimeoutMs);
    this.manifestWatch = new ManifestWatch(this.layout.manifestPath, (manifest) => this.retain(new Set(manifest?.versions.map((v) => v.version) ?? [])), options.onManifestDamage);
    this.landing = new EngineLanding(this.layout, options.landing, () => this.manifest());
    this.served = new ServedVersions(this.versions, () => this.manifest());
  }

  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    // Said once, here: otherwise each first use of a path inside it fails with the filesystem's own words (ENOTDIR).
    const blocked = lakeInTheWay(options.lake);
    if (blocked) throw new Error(blocked);
    const engine = new DuckDbEngine(options);
    if (!options.lazy) await engine.connections.start();
    return engine;
  }

  manifest(): Promise<LakeManifest | null> {
    return this.manifestWatch.read();
  }

  manifestDamage(): ManifestError | undefined {
    return this.manifestWatch.damage;
  }

  async tableRef(table: TableName, version: string): Promise<string> {
    const spec = TABLES[table];
    if (spec.zone === 'landing') return this.landing.tableRef(spec.folder as Source, table);
    const { kept, live } = await this.served.rechecked(version);
    try {
      await this.versions.load(kept);
    } catch (error) {
      // A damage not remembered (the manifest's row counts) is said as any other of the live version's.
      if (live && error instanceof StaleVersionError && error.damage !== undefined) throw new LakeDamagedError(version, error.damage);
      if (this.versions.damageOf(version) === undefined) throw error;
    }
    // Also when found damaged after its load (by a check of its files): every field refuses it, not only those reading the damaged file.
    this.served.throwIfDamaged(version, live);
    return `${schemaOf(version)}."${table}"`;
  }

  readLanding(source: Source, sink: LandingSink, options: ReadOptions = {}): Promise<LandingTally> {
    return this.landing.read(source, sink, options);
  }

  landingIdentity(source: Source): Promise<LandingIdentity> {
    return this.landing.identity(source);
  }

  async stageVersion(version: VersionManifest): Promise<void> {
    this.served.stage(version);
    await this.versions.load(version);
  }

  async scanRef(table: BuiltTable, version: string): Promise<string> {
    const { kept, live } = await this.served.rechecked(version, { orStaged: true });
    const damage = this.versions.damageOf(version) ?? (await this.versions.check(kept, table));
    if (damage) throw live ? new LakeDamagedError(version, damage) : new StaleVersionError(version, damage);
    return `read_parquet(${sqlStringLiteral(this.versions.fileOf(kept, table))}, hive_partitioning = false)`;
  }

  storedColumns(table: BuiltTable, version: string): readonly string[] | undefined {
    return this.versions.storedColumns(table, version);
  }

  derivedColumnText(table: BuiltTable, version: string): DerivedColumnText {
    const files = new ColumnTextFiles(join(this.layout.versionDir(table, version), table), version);
    return { open: (columns) => this.texts.track(version, files.open(columns)), startWrite: (columns) => files.startWrite(columns) };
  }

  versionState(version: string): VersionState {
    return this.versions.state(version);
  }

  readonly fileRows = (version: VersionManifest): Promise<Partial<Record<BuiltTable, number>>> => this.versions.fileRows(version);

  verifyVersion(version: VersionManifest): Promise<string | null> {
    return this.versions.verify(version);
  }

  landingLocation(): Promise<string> {
    return this.landing.location();
  }

  async buildLockHolder(): Promise<BuildLockInfo | null> {
    // A lock file that cannot be read does not hide a build still running by its record.
    const holder = (await readHolder(this.layout.lockPath)) ?? (await runningBuild(this.layout));
    return holder && { pid: holder.pid, host: holder.host, since: holder.since, running: holderState(holder) !== 'gone' };
  }

  async abandonedVersions(): Promise<string[]> {
    const manifest = await this.manifest();
    return abandonedVersions(this.layout, new Set(manifest?.versions.map((v) => v.version) ?? []));
  }

  async unlistedVersions(): Promise<string[]> {
    const manifest = await this.manifest();
    return unlistedVersions(this.layout, manifest ? new Set(manifest.versions.map((v) => v.version)) : null);
  }

  async query(sql: string, params: SqlValue[] = [], options: QueryOptions = {}): Promise<Row[]> {
    const { values } = await this.connections.start();
    return this.withConnection(options, (connection) => this.connections.statementsOf(connection).run(sql, params).then(values.toJsRows)).catch((error: unknown) => this.served.dropped(error));
  }

  async queryColumns(sql: string, params: SqlValue[] = [], options: QueryOptions = {}): Promise<ColumnarResult> {
    const { values } = await this.connections.start();
    return this.withConnection(options, (connection) => this.connections.statementsOf(connection).run(sql, params).then(values.toJsColumns)).catch((error: unknown) => this.served.dropped(error));
  }

  async heldPage(request: HeldPageRequest, options: QueryOptions = {}): Promise<Row[] | undefined> {
    const table = await this.held.get(request.table, request.version, options);
    if (this.versions.damageOf(request.version) !== undefined) {
      const { live } = await this.served.rechecked(request.version);
      this.served.throwIfDamaged(request.version, live);
    }
    return table?.page(request);
  }

  /** A table to hold in memory (sorted by DuckDB, after the version's load and checks); null when above the bound. */
  private async readHeld(table: HeldPageRequest['table'], version: string, options: QueryOptions): Promise<HeldTable | null> {
    const { kept } = await this.served.kept(version);
    if (!mayHold(table, kept.tables[table].rows)) return null;
    const ref = await this.tableRef(table, version);
    const order = heldOrder(table).map((c) => `"${c}"`).join(', ');
    return new HeldTable(table, await this.queryColumns(`SELECT * FROM ${ref} ORDER BY ${order}`, [], options));
  }

  async exportToFile(sql: string, params: SqlValue[], format: ExportFormat, path: string, options: QueryOptions = {}): Promise<number> {
    refuseUnpairedSurrogates(params);
    return this.withConnection(options, (connection) => copyToFile(connection, sql, params, format, path)).catch((error: unknown) => this.served.dropped(error));
  }

  async buildTarget(options: BuildOptions): Promise<BuildTarget> {
    const layout = await this.landing.layoutNow();
    // A rebuild inside the server leaves one core to the readers.
    const threads = options.background ? Math.max(1, availableParallelism() - 1) : undefined;
    const { DuckDbBuildTarget } = await import('./duckdb-build-target');
    return new DuckDbBuildTarget(layout, { threads, maxLineBytes: options.maxLineBytes, doubtTextBytes: options.doubtTextBytes, background: options.background, onLeftBehind: options.onLeftBehind, onDeadBuildsCleared: options.onDeadBuildsCleared });
  }

  async close(): Promise<void> {
    this.versions.close();
    await this.connections.close();
  }

  /**
   * Forgets versions no longer kept. An expired version's folder is deleted, so nothing may hold its
   * files open: its column text closes, and every prepared statement (one over a Parquet file holds it open) goes.
   */
  private async retain(kept: Set<string>): Promise<void> {
    const expired = [...this.keptNow].some((version) => !kept.has(version));
    this.keptNow = kept;
    if ((await this.versions.retain(kept)) || expired) await this.connections.dropStatements();
    this.texts.closeExpired(this.served.staged ? new Set([...kept, this.served.staged.version]) : kept);
    this.held.retain(kept);
  }

  private withConnection<T>(options: QueryOptions, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.connections.use(options, work);
  }
}

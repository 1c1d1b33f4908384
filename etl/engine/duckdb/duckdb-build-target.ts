import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { LakeManifest, LandingCount, VersionManifest } from '../../manifest';
import { BUILT_TABLES, type BuiltTable, type Source, storageOrder, TABLES, type TableName, landingTableOf } from '../../tables';
import type { BuildTarget, SqlValue } from '../engine';
import { acquireBuildLock } from './build-lock';
import { LakeLayout } from './lake-layout';
import { loadLandingSource } from './landing-loader';
import { sqlStringLiteral } from './landing-sql';
import { readLocalManifest, writeLocalManifest } from './local-manifest';
import { findLandingFiles } from './landing-files';

/** Rows per Parquet row group of a built table (DuckDB's default is 122,880): small enough for a page to skip the rest. */
const ROW_GROUP_ROWS = 16_384;

/**
 * A build on DuckDB: a private in-memory database holds the zones while they
 * are computed; each built table is written as Parquet into its own new
 * `v=<version>/` folder, and the manifest rename makes the version live.
 */
export class DuckDbBuildTarget implements BuildTarget {
  readonly engine = 'duckdb' as const;
  private instance?: DuckDBInstance;
  private connection?: DuckDBConnection;
  private version?: string;
  private releaseLock?: () => Promise<void>;

  constructor(
    private readonly layout: LakeLayout,
    private readonly settings: { threads?: number } = {},
  ) {}

  get landing(): string {
    return this.layout.landing;
  }

  async begin(version: string): Promise<void> {
    this.releaseLock = await acquireBuildLock(this.layout.lockPath, `build ${version}`);
    this.version = version;
    await this.removeOrphans();
    const config: Record<string, string> = { preserve_insertion_order: 'false' };
    if (this.settings.threads) config.threads = String(this.settings.threads);
    this.instance = await DuckDBInstance.create(':memory:', config);
    this.connection = await this.instance.connect();
  }

  async loadLanding(source: Source): Promise<LandingCount> {
    const files = await findLandingFiles(this.layout.landingDir(source));
    // Sources load in parallel, each on its own connection.
    const connection = await this.requireInstance().connect();
    try {
      return await loadLandingSource(connection, {
        table: landingTableOf(source),
        files,
        columns: TABLES[landingTableOf(source)].columns,
        quarantineFile: async () => {
          await mkdir(this.layout.quarantineDir(this.requireVersion()), { recursive: true });
          return join(this.layout.quarantineDir(this.requireVersion()), `${source}.ndjson`);
        },
      });
    } finally {
      connection.closeSync();
    }
  }

  async materialize(table: BuiltTable, select: string, params: SqlValue[]): Promise<number> {
    const file = this.layout.tableFile(table, this.requireVersion());
    await mkdir(this.layout.versionDir(table, this.requireVersion()), { recursive: true });
    // Streamed straight to Parquet; later zones read it back from there, so no zone is held in memory.
    // Sorted in the API's keyset order, in small row groups: a keyset page then reads one or two of them.
    const order = storageOrder(table).map((c) => `"${c}"`).join(', ');
    const sorted = `SELECT * FROM (${select}) AS zone ORDER BY ${order}`;
    const [[rows]] = await this.rows(`COPY (${sorted}) TO ${sqlStringLiteral(file)} (FORMAT parquet, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`, params);
    await this.run(`CREATE VIEW ${table} AS SELECT * FROM read_parquet(${sqlStringLiteral(file)}, hive_partitioning = false)`);
    return Number(rows);
  }

  async violations(select: string): Promise<number> {
    const [[violations]] = await this.rows(select);
    return Number(violations);
  }

  location(table: TableName | 'quarantine'): string {
    if (table === 'quarantine') return this.layout.quarantineDir(this.requireVersion());
    return TABLES[table].zone === 'landing' ? this.layout.tableRoot(table) : this.layout.tableFile(table, this.requireVersion());
  }

  readManifest(): Promise<LakeManifest | null> {
    return readLocalManifest(this.layout.manifestPath);
  }

  async publish(manifest: LakeManifest, expired: VersionManifest[]): Promise<void> {
    await writeLocalManifest(this.layout.manifestPath, manifest);
    for (const old of expired) await this.removeVersion(old.version);
  }

  async abandon(): Promise<void> {
    if (this.version) await this.removeVersion(this.version);
  }

  async end(): Promise<void> {
    this.connection?.closeSync();
    this.instance?.closeSync();
    this.connection = undefined;
    this.instance = undefined;
    await this.releaseLock?.();
    this.releaseLock = undefined;
  }

  private requireInstance(): DuckDBInstance {
    if (!this.instance) throw new Error('DuckDbBuildTarget used before begin()');
    return this.instance;
  }

  private requireVersion(): string {
    if (!this.version) throw new Error('DuckDbBuildTarget used before begin()');
    return this.version;
  }

  private connected(): DuckDBConnection {
    if (!this.connection) throw new Error('DuckDbBuildTarget used before begin()');
    return this.connection;
  }

  private async run(sql: string, params: unknown[] = []): Promise<void> {
    await this.connected().run(sql, params as never);
  }

  private async rows(sql: string, params: unknown[] = []): Promise<unknown[][]> {
    return (await this.connected().runAndReadAll(sql, params as never)).getRows();
  }

  private async removeVersion(version: string): Promise<void> {
    for (const table of BUILT_TABLES) await rm(this.layout.versionDir(table, version), { recursive: true, force: true });
    await rm(this.layout.quarantineDir(version), { recursive: true, force: true });
  }

  /** Version folders no manifest names were left by an interrupted build: remove them. */
  private async removeOrphans(): Promise<void> {
    const kept = new Set((await this.readManifest())?.versions.map((v) => v.version) ?? []);
    const roots = [...BUILT_TABLES.map((t) => this.layout.tableRoot(t)), this.layout.quarantineRoot()];
    for (const root of new Set(roots)) {
      const entries = await readdir(root).catch(() => [] as string[]);
      for (const entry of entries) {
        if (entry.startsWith('v=') && !kept.has(entry.slice(2))) await rm(join(root, entry), { recursive: true, force: true });
      }
    }
  }
}

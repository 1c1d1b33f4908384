import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BuildOptions } from '../../build-options';
import { type LakeManifest, liveVersion, type VersionManifest } from '../../manifest';
import { BUILT_TABLES, type BuiltTable, type Source, TABLES, type TableName } from '../../tables';
import type { BuildTarget, Engine, ExportFormat, QueryOptions, Row, SqlValue, VersionState } from '../engine';
import { LakeDamagedError, QueryTimeoutError, StaleVersionError } from '../engine-errors';
import { fileDamage } from './file-checks';
import { ConnectionPool } from './connection-pool';
import { DuckDbBuildTarget } from './duckdb-build-target';
import { findLandingFiles } from './landing-files';
import { LakeLayout } from './lake-layout';
import { sqlStringLiteral } from './landing-sql';
import { readLocalManifest } from './local-manifest';
import { toJsRows } from './values';
import { duckDbDialect } from './duckdb-dialect';

export interface DuckDbEngineOptions {
  lake: string;
  /** The folder holding `<source>/landing/`; defaults to the one the live version was built from, else the lake folder. */
  landing?: string;
  /** Connections serving queries at once. */
  connections?: number;
  queryTimeoutMs?: number;
  /** Time limit of loading one version into memory (apart from the per-query limit). */
  loadTimeoutMs?: number;
}

export const DEFAULT_LOAD_TIMEOUT_MS = 600_000;

/**
 * The embedded engine. A kept version is loaded from its Parquet files into
 * an in-memory schema `v_<version>` when first asked for (one load however
 * many ask), after its files pass their size and SHA-256 checks, so a cursor
 * pinned to a version reads the same rows until that version expires. A
 * version that cannot be read is marked damaged instead of failing forever.
 */
export class DuckDbEngine implements Engine {
  readonly kind = 'duckdb' as const;
  readonly dialect = duckDbDialect;
  readonly layout: LakeLayout;
  private readonly loaded = new Map<string, Promise<void>>();
  private readonly ready = new Set<string>();
  private readonly damaged = new Map<string, string>();
  private cached?: { mtimeMs: number; manifest: LakeManifest | null };

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly pool: ConnectionPool<DuckDBConnection>,
    private readonly options: DuckDbEngineOptions,
  ) {
    this.layout = new LakeLayout(options.lake, options.landing ?? options.lake);
  }

  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(':memory:');
    const size = options.connections ?? 8;
    const connections = await Promise.all(Array.from({ length: size }, () => instance.connect()));
    return new DuckDbEngine(instance, new ConnectionPool(connections), options);
  }

  async manifest(): Promise<LakeManifest | null> {
    // Synchronous on purpose: a few microseconds here, where an async stat would queue behind queries on libuv's pool.
    const mtimeMs = statSync(this.layout.manifestPath, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    if (this.cached?.mtimeMs !== mtimeMs) {
      const manifest = mtimeMs < 0 ? null : await readLocalManifest(this.layout.manifestPath);
      this.cached = { mtimeMs, manifest };
      await this.unloadExpired(manifest);
    }
    return this.cached.manifest;
  }

  async tableRef(table: TableName, version: string): Promise<string> {
    const spec = TABLES[table];
    if (spec.zone === 'landing') return this.landingRef(spec.folder as Source, table);
    const { kept, live } = await this.kept(version);
    try {
      await this.load(kept);
    } catch (error) {
      const damage = this.damaged.get(version);
      if (damage === undefined) throw error;
      throw live ? new LakeDamagedError(version, damage) : new StaleVersionError(version, damage);
    }
    return `${schemaOf(version)}."${table}"`;
  }

  async scanRef(table: BuiltTable, version: string): Promise<string> {
    const { kept, live } = await this.kept(version);
    const damage = this.damaged.get(version) ?? (await this.fileDamage(kept, table));
    if (damage) {
      this.damaged.set(version, damage);
      throw live ? new LakeDamagedError(version, damage) : new StaleVersionError(version, damage);
    }
    return `read_parquet(${sqlStringLiteral(this.fileOf(kept, table))}, hive_partitioning = false)`;
  }

  versionState(version: string): VersionState {
    const damage = this.damaged.get(version);
    if (damage !== undefined) return { state: 'damaged', damage };
    if (this.ready.has(version)) return { state: 'loaded' };
    return { state: this.loaded.has(version) ? 'loading' : 'not loaded' };
  }

  async verifyVersion(version: VersionManifest): Promise<string | null> {
    for (const table of BUILT_TABLES) {
      const damage = await this.fileDamage(version, table);
      if (damage) {
        this.damaged.set(version.version, damage);
        return damage;
      }
    }
    return this.damaged.get(version.version) ?? null;
  }

  async landingLocation(): Promise<string> {
    if (this.options.landing !== undefined) return this.options.landing;
    const manifest = await this.manifest().catch(() => null);
    const live = manifest ? liveVersion(manifest) : undefined;
    return live ? this.layout.located(live.landing) : this.options.lake;
  }

  async query(sql: string, params: SqlValue[] = [], options: QueryOptions = {}): Promise<Row[]> {
    return this.withConnection(options, async (connection) => toJsRows(await connection.runAndReadAll(sql, params).catch((error: unknown) => this.dropped(error))));
  }

  async exportToFile(sql: string, params: SqlValue[], format: ExportFormat, path: string, options: QueryOptions = {}): Promise<number> {
    const how = { parquet: 'FORMAT parquet, COMPRESSION zstd', csv: 'FORMAT csv, HEADER true', ndjson: 'FORMAT json' }[format];
    return this.withConnection(options, async (connection) => {
      const result = await connection.runAndReadAll(`COPY (${sql}) TO ${sqlStringLiteral(path)} (${how})`, params).catch((error: unknown) => this.dropped(error));
      return Number(result.getRows()[0]?.[0] ?? 0);
    });
  }

  async buildTarget(options: BuildOptions): Promise<BuildTarget> {
    const layout = new LakeLayout(this.options.lake, await this.landingLocation());
    // A rebuild inside the server leaves one core to the readers.
    return new DuckDbBuildTarget(layout, options.background ? { threads: Math.max(1, availableParallelism() - 1) } : {});
  }

  async close(): Promise<void> {
    await this.pool.close((connection) => connection.closeSync());
    this.instance.closeSync();
  }

  // Private: landing tables are read as they are now, with the declared schema; bad lines are skipped here (the build quarantines them).
  private async landingRef(source: Source, table: TableName): Promise<string> {
    const columns = TABLES[table].columns.map((c) => `${sqlStringLiteral(c.name)}: ${sqlStringLiteral(c.type)}`).join(', ');
    // The same files a build reads (.json, .jsonl, .ndjson), listed now so a new landing file counts at once.
    const landing = new LakeLayout(this.options.lake, await this.landingLocation());
    const files = (await findLandingFiles(landing.landingDir(source))).map(sqlStringLiteral).join(', ');
    return `read_json([${files}], format = 'newline_delimited', columns = {${columns}}, ignore_errors = true)`;
  }


  /** A version's schema dropped (it expired) between tableRef and the query: the reader's cursor is stale, not the server broken. */
  private dropped(error: unknown): never {
    const version = /Catalog Error: .*"?v_(\d{8}t\d{9}z_[0-9a-f]{4})"?/.exec((error as Error)?.message ?? '')?.[1];
    if (version !== undefined && !this.loaded.has(version)) throw new StaleVersionError(version);
    throw error;
  }

  /** The kept version `version` and whether it is live; StaleVersionError when it is not kept. */
  private async kept(version: string): Promise<{ kept: VersionManifest; live: boolean }> {
    const manifest = await this.manifest();
    const kept = manifest?.versions.find((v) => v.version === version);
    if (!manifest || !kept) throw new StaleVersionError(version);
    return { kept, live: liveVersion(manifest) === kept };
  }

  private fileOf(version: VersionManifest, table: BuiltTable): string {
    return this.layout.tableFile(table, version.version);
  }

  private fileDamage(version: VersionManifest, table: BuiltTable): Promise<string | null> {
    return fileDamage(this.fileOf(version, table), version.tables[table].location, version.tables[table]);
  }

  private load(version: VersionManifest): Promise<void> {
    let loading = this.loaded.get(version.version);
    // Private: a version already in memory keeps serving even if its file is damaged since; it cannot be loaded again.
    if (!loading && this.damaged.has(version.version)) return Promise.reject(new StaleVersionError(version.version, this.damaged.get(version.version)));
    if (!loading) {
      loading = this.loadVersion(version).then(() => void this.ready.add(version.version));
      loading.catch(() => this.loaded.delete(version.version));
      this.loaded.set(version.version, loading);
    }
    return loading;
  }

  private async loadVersion(version: VersionManifest): Promise<void> {
    for (const table of BUILT_TABLES) {
      const damage = await this.fileDamage(version, table);
      if (damage) {
        this.damaged.set(version.version, damage);
        throw new StaleVersionError(version.version, damage);
      }
    }
    // Its own time limit: a load serves every request waiting for it, whatever their own limits.
    let reading: BuiltTable | undefined;
    try {
      await this.withConnection({ timeoutMs: this.options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS }, async (connection) => {
        const schema = schemaOf(version.version);
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        for (const table of BUILT_TABLES) {
          reading = table;
          const file = sqlStringLiteral(this.fileOf(version, table));
          // Sorted by key, so a customer's rows sit together and lookups skip row groups by their min/max.
          const order = TABLES[table].key.map((c) => `"${c}"`).join(', ');
          await connection.run(`CREATE OR REPLACE TABLE ${schema}."${table}" AS SELECT * FROM read_parquet(${file}, hive_partitioning = false) ORDER BY ${order}`);
        }
      });
    } catch (error) {
      // A file that passed its checks (or has none recorded) but DuckDB cannot read is damaged; a load cut off by its limit is not.
      if (reading && !(error instanceof QueryTimeoutError) && /parquet|IO Error|Invalid Input|No such file/i.test((error as Error).message)) {
        this.damaged.set(version.version, `${version.tables[reading].location} cannot be read as Parquet`);
      }
      throw error;
    }
  }

  private async unloadExpired(manifest: LakeManifest | null): Promise<void> {
    const kept = new Set(manifest?.versions.map((v) => v.version) ?? []);
    for (const version of this.damaged.keys()) if (!kept.has(version)) this.damaged.delete(version);
    for (const version of [...this.loaded.keys()]) {
      if (kept.has(version)) continue;
      this.loaded.delete(version);
      this.ready.delete(version);
      await this.withConnection({}, (connection) => connection.run(`DROP SCHEMA IF EXISTS ${schemaOf(version)} CASCADE`));
    }
  }

  private async withConnection<T>(options: QueryOptions, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.queryTimeoutMs;
    return this.pool.use(async (connection) => {
      let timedOut = false;
      const cancel = (): void => connection.interrupt();
      const timer = timeoutMs
        ? setTimeout(() => {
            timedOut = true;
            cancel();
          }, timeoutMs)
        : undefined;
      options.signal?.addEventListener('abort', cancel, { once: true });
      try {
        return await work(connection);
      } catch (error) {
        if (timedOut) throw new QueryTimeoutError(timeoutMs ?? 0, error);
        throw error;
      } finally {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', cancel);
      }
    });
  }
}

const schemaOf = (version: string): string => `"v_${version}"`;

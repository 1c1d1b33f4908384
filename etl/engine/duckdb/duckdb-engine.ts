import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { BuildOptions } from '../../build';
import type { LakeManifest, VersionManifest } from '../../manifest';
import { BUILT_TABLES, type Source, storageOrder, TABLES, type TableName } from '../../tables';
import type { BuildTarget, ColumnarResult, Engine, ExportFormat, QueryOptions, Row, SqlValue } from '../engine';
import { QueryTimeoutError, StaleVersionError } from '../engine-errors';
import { ConnectionPool } from './connection-pool';
import { DuckDbBuildTarget } from './duckdb-build-target';
import { findLandingFiles } from './landing-files';
import { LakeLayout } from './lake-layout';
import { sqlStringLiteral } from './landing-sql';
import { readLocalManifest } from './local-manifest';
import { toJsColumns, toJsRows } from './values';
import { duckDbDialect } from './duckdb-dialect';

export interface DuckDbEngineOptions {
  lake: string;
  /** The folder holding `<source>/landing/`; defaults to the lake folder. */
  landing?: string;
  /** Connections serving queries at once. */
  connections?: number;
  queryTimeoutMs?: number;
}

/**
 * The embedded engine. Each kept version is loaded from its Parquet files into
 * an in-memory schema `v_<version>` on first use, so a cursor pinned to a
 * version reads the same rows until that version expires.
 */
export class DuckDbEngine implements Engine {
  readonly kind = 'duckdb' as const;
  readonly dialect = duckDbDialect;
  readonly keyOrderedStorage = true;
  readonly layout: LakeLayout;
  private readonly loaded = new Map<string, Promise<void>>();
  private cached?: { mtimeMs: number; manifest: LakeManifest | null };
  private statThisTurn?: number;

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
    const mtimeMs = this.manifestMtime();
    if (this.cached?.mtimeMs !== mtimeMs) {
      const manifest = mtimeMs < 0 ? null : await readLocalManifest(this.layout.manifestPath);
      this.cached = { mtimeMs, manifest };
      await this.unloadExpired(manifest);
    }
    return this.cached.manifest;
  }

  /**
   * The manifest file's mtime, stat-ed at most once per turn of the event loop:
   * a request asks several times within one turn, and no answer could tell those apart.
   */
  private manifestMtime(): number {
    if (this.statThisTurn === undefined) {
      // Synchronous on purpose: a few microseconds here, where an async stat would queue behind queries on libuv's pool.
      this.statThisTurn = statSync(this.layout.manifestPath, { throwIfNoEntry: false })?.mtimeMs ?? -1;
      setImmediate(() => (this.statThisTurn = undefined));
    }
    return this.statThisTurn;
  }

  async tableRef(table: TableName, version: string): Promise<string> {
    const spec = TABLES[table];
    if (spec.zone === 'landing') return this.landingRef(spec.folder as Source, table);
    const manifest = await this.manifest();
    const kept = manifest?.versions.find((v) => v.version === version);
    if (!kept) throw new StaleVersionError(version);
    await this.load(kept);
    return `${schemaOf(version)}."${table}"`;
  }

  async query(sql: string, params: SqlValue[] = [], options: QueryOptions = {}): Promise<Row[]> {
    return this.withConnection(options, async (connection) => toJsRows(await connection.runAndReadAll(sql, params)));
  }

  async queryColumns(sql: string, params: SqlValue[] = [], options: QueryOptions = {}): Promise<ColumnarResult> {
    return this.withConnection(options, async (connection) => toJsColumns(await connection.runAndReadAll(sql, params)));
  }

  async exportToFile(sql: string, params: SqlValue[], format: ExportFormat, path: string, options: QueryOptions = {}): Promise<number> {
    const how = { parquet: 'FORMAT parquet, COMPRESSION zstd', csv: 'FORMAT csv, HEADER true', ndjson: 'FORMAT json' }[format];
    return this.withConnection(options, async (connection) => {
      const result = await connection.runAndReadAll(`COPY (${sql}) TO ${sqlStringLiteral(path)} (${how})`, params);
      return Number(result.getRows()[0]?.[0] ?? 0);
    });
  }

  async buildTarget(options: BuildOptions): Promise<BuildTarget> {
    // A rebuild inside the server leaves one core to the readers.
    return new DuckDbBuildTarget(this.layout, options.background ? { threads: Math.max(1, availableParallelism() - 1) } : {});
  }

  async close(): Promise<void> {
    await this.pool.close((connection) => connection.closeSync());
    this.instance.closeSync();
  }

  // Private: landing tables are read as they are now, with the declared schema; bad lines are skipped here (the build quarantines them).
  private async landingRef(source: Source, table: TableName): Promise<string> {
    const columns = TABLES[table].columns.map((c) => `${sqlStringLiteral(c.name)}: ${sqlStringLiteral(c.type)}`).join(', ');
    // The same files a build reads (.json, .jsonl, .ndjson), listed now so a new landing file counts at once.
    const files = (await findLandingFiles(this.layout.landingDir(source))).map(sqlStringLiteral).join(', ');
    return `read_json([${files}], format = 'newline_delimited', columns = {${columns}}, ignore_errors = true)`;
  }


  private load(version: VersionManifest): Promise<void> {
    let loading = this.loaded.get(version.version);
    if (!loading) {
      loading = this.withConnection({}, async (connection) => {
        const schema = schemaOf(version.version);
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        for (const table of BUILT_TABLES) {
          const file = sqlStringLiteral(version.tables[table].location);
          // In the API's keyset order, so a customer's rows sit together and pages skip row groups by their min/max.
          const order = storageOrder(table).map((c) => `"${c}"`).join(', ');
          await connection.run(`CREATE OR REPLACE TABLE ${schema}."${table}" AS SELECT * FROM read_parquet(${file}, hive_partitioning = false) ORDER BY ${order}`);
        }
      });
      loading.catch(() => this.loaded.delete(version.version));
      this.loaded.set(version.version, loading);
    }
    return loading;
  }

  private async unloadExpired(manifest: LakeManifest | null): Promise<void> {
    const kept = new Set(manifest?.versions.map((v) => v.version) ?? []);
    for (const version of [...this.loaded.keys()]) {
      if (kept.has(version)) continue;
      this.loaded.delete(version);
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

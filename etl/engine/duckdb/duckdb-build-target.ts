import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { type FileChecksum, type LakeManifest, type LandingCount, ManifestError, type VersionManifest } from '../../manifest';
import { BUILT_TABLES, type BuiltTable, CONSENT_UNCERTAIN_TABLE, SOURCES, type Source, storageOrder, TABLES, type TableName, landingTableOf } from '../../tables';
import type { BuildTarget, SqlValue, UniqueKey } from '../engine';
import { type HeldLock, acquireBuildLock } from './build-lock';
import { type BuildRecord, pruneEmptyFolders, pruneLakeFolders, removeBuildRecord, removeDeadBuilds, removeVersionFolders, writeBuildRecord } from './build-records';
import { fileChecksum, fileDamage } from './file-checks';
import { onLakeFilesystem } from './fs-errors';
import { BUILD_MEMORY_LIMIT, CONCURRENT_BELOW_BYTES, duplicateScreen, landingBytes } from './build-settings';
import { LakeLayout } from './lake-layout';
import { LandingPool } from '../../landing/landing-pool';
import type { ReadThreads } from '../../landing/landing-columns';
import { dropLandingTable, loadLandingSource, loadUncertain } from './landing-loader';
import { sqlStringLiteral } from './landing-sql';
import { StatementGate } from './statement-gate';
import { readLocalManifest, setAsideManifest, writeLocalManifest } from './local-manifest';
import { findLandingFiles } from './landing-files';
import { withoutDistinct } from './deferred-distinct';

/**
 * Rows per Parquet row group of a built table (DuckDB's default is 122,880). A filtered scan pays
 * ~20 µs per row group of the file even when its statistics skip it: at 16,384 rows a page of the
 * 100× readings spent more on the 247 groups it skipped than on the one it read. 65,536 was the
 * quickest for every served query shape measured (keyset pages of 1,000 to 10,000, one customer).
 */
export const ROW_GROUP_ROWS = 65_536;

/**
 * A build on DuckDB: a private in-memory database holds the zones while they
 * are computed; each built table is written as Parquet into its own new
 * `v=<version>/` folder, and the manifest rename makes the version live.
 * Everything it records is relative to the lake folder, so the lake can move.
 */
export class DuckDbBuildTarget implements BuildTarget {
  readonly engine = 'duckdb' as const;
  private instance?: DuckDBInstance;
  private readonly statements = new StatementGate();
  private version?: string;
  private lock?: HeldLock;
  private published = false;
  /** begin() finished: from here abandon() owns removing the version's folders and record. */
  private started = false;
  private createdLake = false;
  /** The landing reader's worker threads, shared by the sources; none beside a serving process. */
  private pool?: LandingPool;
  /** Sources parsed on this thread go one at a time, in catalogue order: the first zones start while the next source parses. */
  private readonly turns = SOURCES.map(() => {
    let resolve!: () => void;
    return { promise: new Promise<void>((r) => (resolve = r)), resolve };
  });
  private landingLeft = SOURCES.length;
  /** DuckDB started and dead builds cleared (begin() returns before both). */
  private ready: Promise<void> = Promise.resolve();
  /** Connections done with their work, for the next statement. */
  private readonly idle: DuckDBConnection[] = [];
  private concurrency?: number;
  private zones?: number;
  /** Uniqueness screens already run on a written table (see deferred-distinct.ts), by their SQL: a built file never changes. */
  private readonly screened = new Map<string, number>();

  constructor(
    private readonly layout: LakeLayout,
    private readonly settings: {
      threads?: number;
      maxLineBytes?: number;
      background?: boolean;
      memoryLimit?: string;
      /** Write a deferrable DISTINCT's table without it first (deferred-distinct.ts); unset: in large builds only. */
      deferDistinct?: boolean;
    } = {},
  ) {}

  get landing(): string {
    return this.layout.recorded(this.layout.landing);
  }

  async begin(version: string): Promise<void> {
    const { lake } = this.layout;
    this.createdLake = !existsSync(lake);
    // Only read: the landing's size decides how the build runs (see CONCURRENT_BELOW_BYTES).
    const sizing = this.settings.background ? undefined : landingBytes(this.layout);
    this.lock = await onLakeFilesystem(this.layout.metaDir, lake, () => acquireBuildLock(this.layout.lockPath, `build ${version}`));
    this.version = version;
    const config: Record<string, string> = {
      // Freed pages go back to the OS from jemalloc's background thread, as in the serving engine (a build no longer opens one first).
      allocator_background_threads: 'true',
      preserve_insertion_order: 'false',
      memory_limit: this.settings.memoryLimit ?? BUILD_MEMORY_LIMIT,
      temp_directory: this.layout.spillDir(version),
    };
    const small = sizing !== undefined && (await sizing) < CONCURRENT_BELOW_BYTES;
    // A small landing runs two statements at once, each on one thread (see CONCURRENT_BELOW_BYTES).
    if (this.settings.threads || small) config.threads = String(this.settings.threads ?? 1);
    // DuckDB starts (about 20 ms, on another thread) while the build's record is written and the first sources are parsed.
    const starting = DuckDBInstance.create(':memory:', config);
    // Awaited by ready; until then a failure to start must not count as unhandled.
    starting.catch(() => undefined);
    const record = { version, holder: this.lock.holder, expiring: [] };
    try {
      await onLakeFilesystem(this.layout.buildsDir, lake, () => writeBuildRecord(this.layout, record));
    } catch (error) {
      await starting.then((instance) => instance.closeSync(), () => undefined);
      throw error;
    }
    // The record names this version, so from here its folders may be written: the landing is parsed while
    // DuckDB starts and dead builds are cleared. A statement waits for both (onConnection), and so does publishing.
    this.ready = this.prepare(record, starting);
    this.ready.catch(() => undefined);
    // Beside a serving process, parse on this thread: worker threads would take the readers' cores.
    if (!this.settings.background) this.pool = new LandingPool();
    // Never beside readers: a rebuild inside the server runs one statement at a time, once every source is in.
    // A large build runs one zone at a time (its sort needs the memory) and checks beside it.
    if (sizing !== undefined) this.concurrency = 2;
    if (sizing !== undefined && !small) this.zones = 1;
    this.started = true;
  }

  /** Clears what dead builds left, and holds the started DuckDB; fails if either failed (the instance is kept, for end() to close). */
  private async prepare(record: BuildRecord, starting: Promise<DuckDBInstance>): Promise<void> {
    const { lake } = this.layout;
    const clearing = (async () => {
      const manifest = await this.readManifest().catch((error: unknown) => {
        if (error instanceof ManifestError) return undefined;
        throw error;
      });
      // Private: an unreadable manifest cannot say what is kept, so nothing is cleaned up.
      const kept = manifest === undefined ? null : new Set(manifest?.versions.map((v) => v.version) ?? []);
      await onLakeFilesystem(lake, lake, () => removeDeadBuilds(this.layout, kept, record));
    })();
    const [cleared, started] = await Promise.allSettled([clearing, starting]);
    if (started.status === 'fulfilled') this.instance = started.value;
    if (cleared.status === 'rejected') throw cleared.reason;
    if (started.status === 'rejected') throw started.reason;
  }

  get concurrentSteps(): number | undefined {
    return this.concurrency;
  }

  get concurrentZones(): number | undefined {
    return this.zones;
  }

  async loadLanding(source: Source): Promise<LandingCount> {
    const k = SOURCES.indexOf(source);
    try {
      // The next source's turn on this thread starts once this one is parsed, not once its view is made (DuckDB may still be starting).
      return await this.loadSource(source, { turn: () => Promise.all(this.turns.slice(0, k).map((t) => t.promise)), done: () => this.turns[k].resolve() });
    } finally {
      this.landed(k);
    }
  }

  private async loadSource(source: Source, turns: Pick<ReadThreads, 'turn' | 'done'>): Promise<LandingCount> {
    const files = await findLandingFiles(this.layout.landingDir(source));
    const folder = this.layout.quarantineDir(this.requireVersion());
    // Sources load in parallel, each on its own connection once its rows are parsed.
    return onLakeFilesystem(folder, this.layout.lake, async () => {
      const tally = await loadLandingSource((work) => this.onConnection(work), {
        table: landingTableOf(source),
        files,
        columns: TABLES[landingTableOf(source)].columns,
        quarantinePath: join(folder, `${source}.ndjson`),
        parquetDir: this.landingFilesDir,
        maxLineBytes: this.settings.maxLineBytes,
        consentDoubt: source === 'customer',
        threads: { pool: this.pool, ...turns },
      });
      if (source === 'customer') await this.onConnection((connection) => loadUncertain(connection, CONSENT_UNCERTAIN_TABLE, tally.uncertain));
      const { lines, accepted, quarantined, blank, quarantineReasons } = tally;
      const counts = { lines, accepted, quarantined, blank, quarantineReasons };
      return source === 'customer' ? { ...counts, uncertain: tally.uncertain.length } : counts;
    });
  }

  /** Source `k` is loaded (or failed): the next source may parse on this thread; after the last, the pool's threads and memory go. */
  private landed(k: number): void {
    this.turns[k].resolve();
    this.landingLeft -= 1;
    if (this.landingLeft > 0) return;
    void this.pool?.close();
    this.pool = undefined;
  }

  async materialize(table: BuiltTable, select: string, params: SqlValue[]): Promise<number> {
    const file = this.layout.tableFile(table, this.requireVersion());
    return onLakeFilesystem(file, this.layout.lake, async () => {
      await mkdir(this.layout.versionDir(table, this.requireVersion()), { recursive: true });
      // Streamed straight to Parquet; later zones read it back from there, so no zone is held in memory.
      // Sorted in the API's keyset order: a keyset page then reads the one or two row groups holding its rows.
      const order = storageOrder(table).map((c) => `"${c}"`).join(', ');
      const copy = (zone: string): string =>
        `COPY (SELECT * FROM (${zone}) AS zone ORDER BY ${order}) TO ${sqlStringLiteral(file)} (FORMAT parquet, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`;
      // Large builds by default: a small one runs statements side by side, and the real data repeats readings (it would write twice).
      const deferred = (this.settings.deferDistinct ?? this.zones === 1) ? withoutDistinct(table, select) : undefined;
      // Its own connection: zones may run at once (concurrentSteps). Run again alone if out of memory: it only overwrites.
      return this.onConnection(async (connection) => {
        const write = async (zone: string): Promise<number> => Number((await connection.runAndReadAll(copy(zone), params as never)).getRows()[0][0]);
        let rows = await write(deferred ?? select);
        await connection.run(`CREATE OR REPLACE VIEW ${table} AS SELECT * FROM read_parquet(${sqlStringLiteral(file)}, hive_partitioning = false)`);
        if (deferred) {
          const screen = duplicateScreen({ table, key: TABLES[table].key })!;
          const repeated = Number((await connection.runAndReadAll(screen)).getRows()[0][0]);
          // The checks run this very screen on this very file: its answer stands for them.
          if (repeated === 0) this.screened.set(screen, 0);
          else rows = await write(select);
        }
        return rows;
      }, true);
    });
  }

  async releaseLanding(table: TableName): Promise<void> {
    await this.onConnection((connection) => dropLandingTable(connection, this.landingFilesDir, table));
  }

  /** The landing tables' Parquet files: in the build's spill folder, removed with it whatever happens. */
  private get landingFilesDir(): string {
    return join(this.layout.spillDir(this.requireVersion()), 'landing');
  }

  /**
   * Runs `work` on a connection of its own, reused once it is done with (opening one costs the main thread ~0.5 ms);
   * `retryable` work runs again alone if DuckDB runs out of memory beside other statements (statement-gate.ts).
   */
  private async onConnection<T>(work: (connection: DuckDBConnection) => Promise<T>, retryable = false): Promise<T> {
    await this.ready;
    return this.statements.run(() => this.onOwnConnection(work), retryable);
  }

  private async onOwnConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = this.idle.pop() ?? (await this.requireInstance().connect());
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      // Private: a connection whose work failed is not reused.
      connection.closeSync();
      throw error;
    }
    this.idle.push(connection);
    return result;
  }

  private closeDuckDb(): void {
    for (const connection of this.idle.splice(0)) connection.closeSync();
    this.instance?.closeSync();
    this.instance = undefined;
  }

  checksum(table: BuiltTable): Promise<FileChecksum> {
    return fileChecksum(this.layout.tableFile(table, this.requireVersion()));
  }

  /** Checks run two at a time, each on its own connection (the build's views are shared); one beside a serving process. */
  get checkConcurrency(): number {
    return this.settings.background ? 1 : 2;
  }

  async violations(select: string, unique?: UniqueKey): Promise<number> {
    return this.onConnection(async (connection) => {
      const count = async (sql: string): Promise<number> => Number((await connection.runAndReadAll(sql)).getRows()[0][0]);
      const screen = duplicateScreen(unique);
      if (screen && (this.screened.get(screen) ?? (await count(screen))) === 0) return 0;
      return count(select);
    }, true);
  }

  /**
   * Every check in one statement on one connection: at small sizes a check
   * costs more in its own statement than in its scans. A uniqueness check runs
   * its screen there (unless it ran on the written table already), and its
   * exact query only when the screen finds a repeat.
   */
  async violationsOfAll(checks: ReadonlyArray<{ select: string; unique?: UniqueKey }>): Promise<number[]> {
    return this.onConnection(async (connection) => {
      const screens = checks.map((c) => duplicateScreen(c.unique));
      const counts = screens.map((s) => (s === undefined ? undefined : this.screened.get(s)));
      const left = checks.map((_, k) => k).filter((k) => counts[k] === undefined);
      if (left.length > 0) {
        const fused = left.map((k) => `(${screens[k] ?? checks[k].select}) AS "c${k}"`).join(',\n');
        const found = (await connection.runAndReadAll(`SELECT ${fused}`)).getRows()[0].map(Number);
        left.forEach((k, j) => (counts[k] = found[j]));
      }
      for (const [k, check] of checks.entries()) {
        if (screens[k] && counts[k]! > 0) counts[k] = Number((await connection.runAndReadAll(check.select)).getRows()[0][0]);
      }
      return counts as number[];
    }, true);
  }

  location(table: TableName | 'quarantine'): string {
    if (table === 'quarantine') return this.layout.recorded(this.layout.quarantineDir(this.requireVersion()));
    return this.layout.recorded(TABLES[table].zone === 'landing' ? this.layout.tableRoot(table) : this.layout.tableFile(table, this.requireVersion()));
  }

  readManifest(): Promise<LakeManifest | null> {
    return readLocalManifest(this.layout.manifestPath, this.layout.lake);
  }

  async setAsideManifest(): Promise<void> {
    await onLakeFilesystem(this.layout.manifestPath, this.layout.lake, () => setAsideManifest(this.layout.manifestPath));
  }

  async damagedVersions(manifest: LakeManifest): Promise<Set<string>> {
    const damaged = new Set<string>();
    for (const v of manifest.versions) {
      for (const table of BUILT_TABLES) {
        if (await fileDamage(this.layout.tableFile(table, v.version), v.tables[table].location, v.tables[table])) {
          damaged.add(v.version);
          break;
        }
      }
    }
    return damaged;
  }

  async publish(manifest: LakeManifest, expired: VersionManifest[]): Promise<void> {
    await this.ready;
    const version = this.requireVersion();
    const { lake, manifestPath } = this.layout;
    // Recorded first: if this process dies after the manifest is written, the next build finishes the removal.
    const recording = onLakeFilesystem(this.layout.buildsDir, lake, () => writeBuildRecord(this.layout, { version, holder: this.lock!.holder, expiring: expired.map((v) => v.version) }));
    // Every file is written and checked: DuckDB closes (a few ms, on this thread) while the record reaches the disk.
    this.closeDuckDb();
    await recording;
    await onLakeFilesystem(manifestPath, lake, () => writeLocalManifest(manifestPath, manifest));
    this.published = true;
    // The new version is live: a failure from here on leaves only garbage, which the record lets the next build remove.
    try {
      for (const old of expired) await removeVersionFolders(this.layout, old.version);
      await removeBuildRecord(this.layout, version);
    } catch {
      // Private: left to the next build, which reads this build's record.
    }
  }

  async abandon(): Promise<void> {
    if (this.published || !this.version) return;
    await removeVersionFolders(this.layout, this.version);
    await removeBuildRecord(this.layout, this.version);
  }

  async end(): Promise<void> {
    // DuckDB may still be starting, and dead builds being cleared, if the build failed early: both settle before anything closes.
    await this.ready.catch(() => undefined);
    await this.pool?.close();
    this.pool = undefined;
    this.closeDuckDb();
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

  private requireInstance(): DuckDBInstance {
    if (!this.instance) throw new Error('DuckDbBuildTarget used before begin()');
    return this.instance;
  }

  private requireVersion(): string {
    if (!this.version) throw new Error('DuckDbBuildTarget used before begin()');
    return this.version;
  }

}

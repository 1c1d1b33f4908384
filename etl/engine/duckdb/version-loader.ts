import type { DuckDBConnection } from '@duckdb/node-api';
import type { VersionManifest } from '../../manifest';
import { BUILT_TABLES, type BuiltTable } from '../../tables';
import type { QueryOptions, VersionState } from '../engine';
import { OpenFileLimitError, QueryTimeoutError, StaleVersionError, isOpenFileLimit } from '../engine-errors';
import { fileIdentity, forgetHashes } from './file-checks';
import { VersionDamage } from './version-damage';
import { FooterRows } from './footer-rows';
import { VersionWatch } from './version-watch';
import type { LakeLayout } from './lake-layout';
import { attachTable, schemaOf } from './version-schema';

export const DEFAULT_LOAD_TIMEOUT_MS = 600_000;

export type WithConnection = <T>(options: QueryOptions, work: (connection: DuckDBConnection) => Promise<T>) => Promise<T>;

/**
 * Kept versions, served from their Parquet files: a version is attached as
 * views in schema `v_<version>` when first asked for (one load however many
 * ask), after its files pass their size and SHA-256 checks, under a time limit
 * of its own. Views, not tables copied into memory: the files are written in
 * keyset order with small row groups, so a page reads one or two of them, and
 * every server process shares them through the OS page cache (held once, not
 * once per worker); a small customers table is the exception (heldInMemory).
 * A version that cannot be read is remembered as damaged, with why, until
 * the file found damaged changes again (put back from a copy, say): then every
 * file is checked anew, and a version whose files all pass serves again (version-damage.ts).
 */
export class VersionLoader {
  private readonly loads = new Map<string, Promise<void>>();
  private readonly ready = new Set<string>();
  private readonly damage: VersionDamage;
  /** The columns each loaded version's views serve, by version then table (read at load). */
  private readonly columns = new Map<string, Map<BuiltTable, readonly string[]>>();
  // Private: a loaded version's manifest entry, to check a file its watch saw change.
  private readonly manifests = new Map<string, VersionManifest>();
  private readonly footerRows: FooterRows;
  private readonly watch: VersionWatch;

  constructor(
    private readonly layout: LakeLayout,
    private readonly withConnection: WithConnection,
    private readonly loadTimeoutMs: number = DEFAULT_LOAD_TIMEOUT_MS,
  ) {
    this.damage = new VersionDamage((version, table) => this.fileOf(version, table));
    this.footerRows = new FooterRows(withConnection, (version, table) => this.fileOf(version, table));
    this.watch = new VersionWatch(layout, (version, table) => void this.changed(version, table));
  }

  load(version: VersionManifest): Promise<void> {
    let loading = this.loads.get(version.version);
    // Private: a version found damaged is not attached again; one attached before its files changed reports the damage on its next read (ServedVersions.dropped).
    const damage = this.damage.of(version.version);
    if (!loading && damage !== undefined) return Promise.reject(new StaleVersionError(version.version, damage));
    if (!loading) {
      loading = this.loadVersion(version).then(() => {
        this.ready.add(version.version);
        this.manifests.set(version.version, version);
        this.watch.watch(version.version);
      });
      loading.catch(() => this.loads.delete(version.version));
      this.loads.set(version.version, loading);
    }
    return loading;
  }

  /** Loaded, or being loaded. */
  has(version: string): boolean {
    return this.loads.has(version);
  }

  storedColumns(table: BuiltTable, version: string): readonly string[] | undefined {
    return this.ready.has(version) ? this.columns.get(version)?.get(table) : undefined;
  }

  damageOf(version: string): string | undefined {
    return this.damage.of(version);
  }

  state(version: string): VersionState {
    const damage = this.damage.of(version);
    if (damage !== undefined) return { state: 'damaged', damage };
    if (this.ready.has(version)) return { state: 'loaded' };
    return { state: this.loads.has(version) ? 'loading' : 'not loaded' };
  }

  fileOf(version: VersionManifest, table: BuiltTable): string {
    return this.layout.tableFile(table, version.version);
  }

  /** Why `table`'s file of `version` is not what the manifest recorded (and the version damaged), or null. */
  check(version: VersionManifest, table: BuiltTable): Promise<string | null> {
    return this.damage.check(version, table);
  }

  /** A damaged version whose damaged file changed since is checked afresh (version-damage.ts). */
  recheck(version: VersionManifest): Promise<void> {
    return this.damage.recheck(version);
  }

  /** Every file of `version`, then the manifest's counts of their rows; the damage of every damaged file, or the one already known, or null. */
  async verify(version: VersionManifest): Promise<string | null> {
    const damage = await this.damage.checkAll(version);
    if (damage) return damage;
    // Not remembered as damage: the counts are the manifest's, which may be put back.
    return this.damage.of(version.version) ?? (await this.footerRows.damage(version));
  }

  /** The rows `version`'s files hold, by their footers (a file whose footer cannot be read is left out). */
  fileRows(version: VersionManifest): Promise<Partial<Record<BuiltTable, number>>> {
    return this.footerRows.rows(version);
  }

  /** Forgets every version not in `kept`, dropping its schema; true when any was dropped. */
  async retain(kept: ReadonlySet<string>): Promise<boolean> {
    this.damage.retain(kept);
    this.footerRows.retain(kept);
    let dropped = false;
    for (const version of [...this.loads.keys()]) {
      if (kept.has(version)) continue;
      this.loads.delete(version);
      this.ready.delete(version);
      this.columns.delete(version);
      this.manifests.delete(version);
      this.watch.unwatch(version);
      dropped = true;
      await this.withConnection({}, (connection) => connection.run(`DROP SCHEMA IF EXISTS ${schemaOf(version)} CASCADE`));
    }
    return dropped;
  }

  /** Stops watching every version's files (the engine is closing). */
  close(): void {
    this.watch.close();
  }

  /** A loaded version's file changed on disk: checked again now, its hash not taken from before. */
  private async changed(version: string, table: BuiltTable): Promise<void> {
    const manifest = this.manifests.get(version);
    if (!manifest) return;
    forgetHashes(this.fileOf(manifest, table));
    if (this.damage.of(version) !== undefined) await this.recheck(manifest).catch(() => undefined);
    else await this.check(manifest, table).catch(() => undefined);
  }

  private async loadVersion(version: VersionManifest): Promise<void> {
    const identities = await Promise.all(BUILT_TABLES.map((table) => fileIdentity(this.fileOf(version, table))));
    const damage = await this.verify(version);
    if (damage) throw new StaleVersionError(version.version, damage);
    // Its own time limit: a load serves every request waiting for it, whatever their own limits.
    let reading: BuiltTable | undefined;
    try {
      await this.withConnection({ timeoutMs: this.loadTimeoutMs }, async (connection) => {
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schemaOf(version.version)}`);
        for (const table of BUILT_TABLES) {
          reading = table;
          const served = await attachTable(connection, version, table, this.fileOf(version, table));
          if (!this.columns.has(version.version)) this.columns.set(version.version, new Map());
          this.columns.get(version.version)!.set(table, served);
        }
      });
    } catch (error) {
      // A file that passed its checks (or has none recorded) but DuckDB cannot read is damaged; a load cut off by its
      // limit is not, nor one that found no free descriptor (DuckDB's "IO Error: … Too many open files").
      if (reading && isOpenFileLimit(error)) throw new OpenFileLimitError(version.tables[reading].location, error);
      if (reading && !(error instanceof QueryTimeoutError) && /parquet|IO Error|Invalid Input|No such file/i.test((error as Error).message)) {
        const k = BUILT_TABLES.indexOf(reading);
        this.damage.mark(version.version, `${version.tables[reading].location} cannot be read as Parquet`, this.fileOf(version, reading), identities[k]);
      }
      throw error;
    }
  }
}

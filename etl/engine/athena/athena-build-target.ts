import type { LakeManifest, LandingCount, VersionManifest } from '../../manifest';
import { type BuiltTable, type Source, TABLES, type TableName } from '../../tables';
import type { BuildTarget } from '../build-target';
import type { SqlValue } from '../engine';
import type { AthenaBuildContext } from './athena-build-context';
import { loadLandingSource } from './landing-load';
import { LandingRuns } from './landing-runs';
import { type CatalogObject, LIVE_VIEWS, versionedName } from './object-names';
import { ManifestWriteUnknownError } from './manifest-write-errors';
import type { StoredManifest } from './s3-lake';
import { BuildRelations } from './build-relations';
import { type Statement, bindTables, countRows, createDatabase, createTableAs, dropView, qualified, switchLiveView } from './statements';
import { VersionCleanup } from './version-cleanup';

const count = (value: unknown): number => Number(value ?? 0);

/**
 * A build on Athena: every object of the version is new (`<name>__<version>`)
 * and every table writes into its own new, empty `v=<version>/` prefix with
 * CTAS. Nothing a reader uses changes until `publish` points the live views
 * at the new version and PUTs the manifest; a failed build drops what it
 * created and deletes its prefixes.
 */
export class AthenaBuildTarget implements BuildTarget {
  readonly engine = 'athena' as const;
  private version?: string;
  /** The manifest this build started from: it is replaced only while it is still that copy (its ETag). */
  private before: StoredManifest = { manifest: null, etag: null };
  /** The manifest's PUT failed without a refusal: it may have landed, so this version's data must stay. */
  private publishUnknown = false;
  private readonly created: CatalogObject[] = [];
  /** Tables of this build a SELECT may read, with the relation each resolves to. */
  private readonly relations = new BuildRelations();
  private switching = false;
  private published = false;
  /** Set once the build failed: landing work still running must start no further statement. */
  private stopping = false;
  private readonly landingRuns: LandingRuns;
  private readonly cleanup: VersionCleanup;

  constructor(private readonly ctx: AthenaBuildContext) {
    this.cleanup = new VersionCleanup(ctx);
    this.landingRuns = new LandingRuns(ctx.serialLanding === true, () => this.stopWork());
  }

  get landing(): string {
    return this.ctx.layout.landing;
  }

  async begin(version: string): Promise<void> {
    this.version = version;
    await this.ctx.preflight?.check();
    await this.ctx.lock.acquire(`build ${version}`);
    try {
      await this.run(createDatabase(this.ctx.database));
      this.before = await this.ctx.lake.readStoredManifest(this.ctx.layout.manifestUrl);
      const named = this.before.manifest?.versions.map((v) => v.version) ?? [];
      // A build killed while switching the live views left some naming its version, dropped now: point them back.
      if ((await this.cleanup.removeLeftovers(new Set([version, ...named]), this.before.manifest !== null)).length > 0) await this.restoreLiveViews();
      await this.cleanup.startVersion(version);
    } catch (error) {
      await this.ctx.lock.release().catch((e) => this.ctx.warn('could not release the build lock', e));
      throw error;
    }
  }

  loadLanding(source: Source): Promise<LandingCount> {
    return this.landingRuns.run(() => this.readLanding(source));
  }

  async materialize(table: BuiltTable, select: string, params: SqlValue[]): Promise<number> {
    const { database, layout } = this.ctx;
    const version = this.requireVersion();
    const name = versionedName(table, version);
    const query = bindTables(select, this.relations.bindingsFor(select, table));
    await this.create({ name, kind: 'table' }, createTableAs({ database, name, location: layout.versionPrefix(table, version), format: 'PARQUET' }, query, params));
    const [row] = await this.select(countRows(database, name, 'rows'));
    this.relations.add(table, qualified(database, name));
    return count(row?.rows);
  }

  async violations(select: string): Promise<number> {
    const [row] = await this.select({ grammar: 'trino', sql: bindTables(select, this.relations.bindingsFor(select, 'a check'), 'check') });
    return count(row?.violations);
  }

  location(table: TableName | 'quarantine'): string {
    const version = this.requireVersion();
    if (table === 'quarantine') return this.ctx.layout.quarantinePrefix(version);
    return TABLES[table].zone === 'landing' ? this.ctx.layout.tableRoot(table) : this.ctx.layout.versionPrefix(table, version);
  }

  readManifest(): Promise<LakeManifest | null> {
    return this.ctx.lake.readManifest(this.ctx.layout.manifestUrl);
  }

  async publish(manifest: LakeManifest, expired: VersionManifest[]): Promise<void> {
    const version = this.requireVersion();
    // A build whose lock was deleted by hand (and maybe taken by another build) must not put its version live.
    await this.ctx.lock.verify();
    this.switching = true;
    for (const table of LIVE_VIEWS) await this.run(switchLiveView(this.ctx.database, table, versionedName(table, version)));
    try {
      await this.ctx.lake.writeManifest(this.ctx.layout.manifestUrl, manifest, this.before.etag);
    } catch (error) {
      this.publishUnknown = error instanceof ManifestWriteUnknownError;
      throw error;
    }
    this.published = true;
    this.ctx.onPublished?.();
    // The new version is live: from here a failure only leaves garbage, which the next build removes.
    for (const old of expired) await this.attempt(`removing expired version ${old.version}`, () => this.cleanup.removeVersion(old.version));
    for (const table of LIVE_VIEWS) await this.attempt(`pruning Glue versions of ${table}`, () => this.ctx.catalog.pruneTableVersions(table));
    await this.attempt('removing the build marker', () => this.ctx.lake.deletePrefix(this.ctx.layout.buildMarkerPrefix(version)));
  }

  async abandon(): Promise<void> {
    // The sources load in parallel: when one fails the others may still run. Stop them before removing anything.
    await this.stopWork();
    if (this.published || !this.version) return;
    if (this.switching) await this.attempt('restoring the live views', () => this.restoreLiveViews());
    // The manifest may name this version (its PUT may land yet): the next build removes it only if it does not.
    if (this.publishUnknown) return;
    let clean = true;
    for (const object of [...this.created].reverse()) clean = (await this.attempt(`dropping ${object.name}`, () => this.cleanup.drop(object))) && clean;
    for (const prefix of this.cleanup.prefixesOf(this.version)) clean = (await this.attempt(`deleting ${prefix}`, () => this.ctx.lake.deletePrefix(prefix))) && clean;
    // A marker left behind makes the next build finish this cleanup.
    if (clean) await this.attempt('removing the build marker', () => this.ctx.lake.deletePrefix(this.ctx.layout.buildMarkerPrefix(this.version!)));
  }

  async end(): Promise<void> {
    await this.stopWork();
    await this.attempt('releasing the build lock', () => this.ctx.lock.release());
  }

  /** Every query of this build is finished or stopped when this returns. */
  private async stopWork(): Promise<void> {
    this.stopping = true;
    await this.ctx.runner.stopAll();
    await this.landingRuns.settled();
  }

  private readLanding(source: Source): Promise<LandingCount> {
    const { database, layout, maxLineBytes } = this.ctx;
    const steps = { create: (o: CatalogObject, s: Statement) => this.create(o, s), select: (s: Statement) => this.select(s) };
    return loadLandingSource({ database, layout, maxLineBytes, version: this.requireVersion(), relations: this.relations, ...steps }, source);
  }

  private async create(object: CatalogObject, statement: Statement): Promise<void> {
    // Recorded first: a CTAS that fails half way may still leave its table behind.
    this.created.push(object);
    await this.run(statement);
  }

  private run(statement: Statement): Promise<void> {
    this.throwIfStopping();
    return this.ctx.runner.execute(statement);
  }

  private select(statement: Statement) {
    this.throwIfStopping();
    return this.ctx.runner.select(statement);
  }

  private throwIfStopping(): void {
    if (this.stopping) throw new Error('the build stopped: no further statement is started');
  }

  /** Points the live views back at the version the manifest names now: another build's, when it published first. */
  private async restoreLiveViews(): Promise<void> {
    const now = await this.readManifest().catch(() => this.before.manifest);
    const previous = now?.versions[0];
    for (const table of LIVE_VIEWS) {
      await this.ctx.runner.execute(previous ? switchLiveView(this.ctx.database, table, versionedName(table, previous.version)) : dropView(this.ctx.database, table));
    }
  }

  private async attempt(what: string, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      this.ctx.warn(`${what} failed`, error);
      return false;
    }
  }

  private requireVersion(): string {
    if (!this.version) throw new Error('AthenaBuildTarget used before begin()');
    return this.version;
  }
}

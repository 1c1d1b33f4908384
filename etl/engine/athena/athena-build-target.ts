import type { LakeManifest, LandingCount, VersionManifest } from '../../manifest';
import { type BuiltTable, CONSENT_UNCERTAIN_TABLE, type Source, TABLES, TABLE_NAMES, type TableName, landingTableOf } from '../../tables';
import type { BuildTarget, SqlValue } from '../engine';
import type { Catalog } from './glue-catalog';
import { ReasonCounts } from '../../landing/reason-counts';
import { countLanding, countQuarantineReasons, createCheckedView, createLandingJsonTable, createLandingView, createQuarantine } from './landing-statements';
import { createConsentUncertainView } from './consent-uncertain-statements';
import { type CatalogObject, LIVE_VIEWS, consentUncertainName, landingCheckedName, landingJsonName, quarantineName, versionedName } from './object-names';
import type { BuildLock } from './s3-build-lock';
import type { LakeStore } from './s3-lake';
import type { AthenaLayout } from './s3-location';
import { referencedNames } from './sql-text';
import type { StatementRunner } from './statement-runner';
import { type Statement, bindTables, countRows, createDatabase, createTableAs, dropView, qualified, switchLiveView } from './statements';
import { VersionCleanup } from './version-cleanup';

export interface AthenaBuildContext {
  database: string;
  layout: AthenaLayout;
  runner: StatementRunner;
  lake: LakeStore;
  lock: BuildLock;
  catalog: Catalog;
  warn: (message: string, error?: unknown) => void;
  /** Load landing sources one after another, so a dry run prints each source's statements together. */
  serialLanding?: boolean;
  /** Called once the new manifest is written (the engine drops its cached copy). */
  onPublished?: () => void;
  /** Checks the account before anything is paid for (see preflight.ts); runs first in `begin`. */
  preflight?: { check(): Promise<void> };
  /** Landing lines longer than this many bytes are quarantined (default: the embedded engine's 1 MiB). */
  maxLineBytes?: number;
}

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
  private before: LakeManifest | null = null;
  private readonly created: CatalogObject[] = [];
  /** Tables of this build a SELECT may read, with the relation each resolves to. */
  private readonly available = new Map<TableName, string>();
  /** The build's consent_uncertain relation, once the customer landing is read. */
  private uncertainRelation?: string;
  private switching = false;
  private published = false;
  /** Set once the build failed: landing work still running must start no further statement. */
  private stopping = false;
  private landingQueue: Promise<unknown> = Promise.resolve();
  private readonly landingRuns = new Set<Promise<unknown>>();
  private landingFailure?: { error: unknown };

  private readonly cleanup: VersionCleanup;

  constructor(private readonly ctx: AthenaBuildContext) {
    this.cleanup = new VersionCleanup(ctx);
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
      this.before = await this.readManifest();
      await this.cleanup.removeLeftovers(new Set([version, ...(this.before?.versions.map((v) => v.version) ?? [])]));
      await this.ctx.lake.putText(`${this.ctx.layout.buildMarkerPrefix(version)}started`, new Date().toISOString());
      for (const prefix of this.cleanup.prefixesOf(version)) {
        if (!(await this.ctx.lake.isEmpty(prefix))) {
          throw new Error(`the new version's location ${prefix} is not empty, and Athena writes a table only into an empty location; remove what is there`);
        }
      }
    } catch (error) {
      await this.ctx.lock.release().catch((e) => this.ctx.warn('could not release the build lock', e));
      throw error;
    }
  }

  loadLanding(source: Source): Promise<LandingCount> {
    const next = this.ctx.serialLanding ? this.landingQueue.then(() => this.readLanding(source)) : this.readLanding(source);
    if (this.ctx.serialLanding) this.landingQueue = next.catch(() => undefined);
    this.landingRuns.add(next);
    const forget = (): void => void this.landingRuns.delete(next);
    next.then(forget, forget);
    // The first source to fail stops the others at once (queries are paid for), and every source reports that first failure.
    return next.catch(async (error: unknown) => {
      this.landingFailure ??= { error };
      if (this.landingFailure.error === error) await this.stopWork();
      throw this.landingFailure.error;
    });
  }

  async materialize(table: BuiltTable, select: string, params: SqlValue[]): Promise<number> {
    const { database, layout } = this.ctx;
    const version = this.requireVersion();
    const name = versionedName(table, version);
    const query = bindTables(select, this.bindingsFor(select, table));
    await this.create({ name, kind: 'table' }, createTableAs({ database, name, location: layout.versionPrefix(table, version), format: 'PARQUET' }, query, params));
    const [row] = await this.select(countRows(database, name, 'rows'));
    this.available.set(table, qualified(database, name));
    return count(row?.rows);
  }

  async violations(select: string): Promise<number> {
    const [row] = await this.select({ grammar: 'trino', sql: bindTables(select, this.bindingsFor(select, 'a check'), 'check') });
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
    this.switching = true;
    for (const table of LIVE_VIEWS) await this.run(switchLiveView(this.ctx.database, table, versionedName(table, version)));
    await this.ctx.lake.writeManifest(this.ctx.layout.manifestUrl, manifest);
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
    await Promise.allSettled([...this.landingRuns]);
  }

  private async readLanding(source: Source): Promise<LandingCount> {
    const { database, layout } = this.ctx;
    const version = this.requireVersion();
    const table = landingTableOf(source);
    await this.create({ name: landingJsonName(source, version), kind: 'table' }, createLandingJsonTable(database, source, version, layout.landingPrefix(source)));
    await this.create({ name: landingCheckedName(source, version), kind: 'view' }, createCheckedView(database, source, version, this.ctx.maxLineBytes));
    await this.create({ name: versionedName(table, version), kind: 'view' }, createLandingView(database, source, version));
    const [counts] = await this.select(countLanding(database, source, version));
    // 0 = 0 + 0 passes every check: without this an empty or mistyped prefix would publish an empty lake. (A dry run counts nothing.)
    if (counts && count(counts.lines) - count(counts.blank) === 0) {
      throw new Error(`the landing prefix ${layout.landingPrefix(source)} holds no ${source} records (0 non-blank lines): upload the data there, or point --landing / STEDI_LANDING at the prefix holding ${source}/landing/`);
    }
    const quarantine = quarantineName(source, version);
    await this.create({ name: quarantine, kind: 'table' }, createQuarantine(database, source, version, layout.quarantinePrefix(version, source)));
    const reasons = new ReasonCounts();
    for (const row of await this.select(countQuarantineReasons(database, source, version))) reasons.add(String(row.reason), count(row.lines));
    const quarantineReasons = reasons.list();
    const quarantined = quarantineReasons.reduce((sum, r) => sum + r.count, 0);
    const tally = { lines: count(counts?.lines), accepted: count(counts?.accepted), quarantined, blank: count(counts?.blank), quarantineReasons };
    if (source !== 'customer') {
      this.available.set(table, qualified(database, versionedName(table, version)));
      return tally;
    }
    const uncertain = consentUncertainName(version);
    await this.create({ name: uncertain, kind: 'view' }, createConsentUncertainView(database, version, this.ctx.maxLineBytes));
    const [doubt] = await this.select(countRows(database, uncertain, 'uncertain'));
    this.uncertainRelation = qualified(database, uncertain);
    this.available.set(table, qualified(database, versionedName(table, version)));
    return { ...tally, uncertain: count(doubt?.uncertain) };
  }

  /** The relations of this build for every catalogue table `select` reads; reading one not built yet is a bug in the zone order. */
  private bindingsFor(select: string, reader: string): Map<TableName, string> {
    const bindings = new Map<TableName, string>();
    for (const name of referencedNames(select, TABLE_NAMES)) {
      const relation = this.available.get(name);
      if (!relation) throw new Error(`the SQL of ${reader} reads ${name}, which this build has not produced yet`);
      bindings.set(name, relation);
    }
    // Not a catalogue table: the customer landing derives it (doubt hides), and whatever reads it runs after that.
    if (referencedNames(select, [CONSENT_UNCERTAIN_TABLE]).length > 0) {
      if (!this.uncertainRelation) throw new Error(`the SQL of ${reader} reads ${CONSENT_UNCERTAIN_TABLE}, which this build has not produced yet`);
      bindings.set(CONSENT_UNCERTAIN_TABLE as TableName, this.uncertainRelation);
    }
    return bindings;
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

  private async restoreLiveViews(): Promise<void> {
    const previous = this.before?.versions[0];
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

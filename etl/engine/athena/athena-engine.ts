import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { BuildOptions } from '../../build-options';
import type { LakeManifest } from '../../manifest';
import { type Source, TABLES, type TableName } from '../../tables';
import type { BuildTarget } from '../build-target';
import type { BuildLockInfo, Engine, ExportFormat, LandingIdentity, QueryOptions, Row, SqlValue } from '../engine';
import { LakeNotBuiltError, StaleVersionError } from '../engine-errors';
import { AbandonedVersions } from './abandoned-versions';
import { AthenaBuildTarget } from './athena-build-target';
import { athenaDialect } from './athena-dialect';
import { type AthenaEngineOptions, type ResolvedAthenaOptions, resolveAthenaOptions } from './athena-options';
import { GlueCatalog } from './glue-catalog';
import { listedLandingIdentity } from './landing-identity';
import { landingLocation } from './landing-location';
import { consentUncertainName, versionedName } from './object-names';
import { heldInDoubtSql } from './held-in-doubt-sql';
import { executionParameters } from './parameters';
import { explainFailedRead } from './expired-read';
import { AthenaPreflight } from './preflight';
import { boundedBy } from './aws-call';
import { type Clock, systemClock } from './clock';
import { ManifestCache } from './manifest-cache';
import { AthenaQueryRunner } from './query-runner';
import { exportResultFile } from './result-file-export';
import { readResultColumns, readResultRows } from './results';
import { s3LockHolder } from './lock-holder';
import { S3BuildLock } from './s3-build-lock';
import { S3Lake } from './s3-lake';
import { AthenaLayout } from './s3-location';
import { AthenaStatementRunner } from './statement-runner';
import { publishedLeftovers, versionsOnS3 } from './version-cleanup';
import { qualified } from './statements';

/** SDK clients to use instead of new ones (tests pass mocked ones); the engine closes only those it made. */
export interface AthenaClients {
  athena?: AthenaClient;
  s3?: S3Client;
  glue?: GlueClient;
  clock?: Clock;
}

/**
 * The lake on AWS: S3 holds the data and the manifest, Glue the catalogue,
 * Athena runs every query. A kept version is read through its own tables
 * (`"db"."<table>__<version>"`), so a reader pinned to a version sees the
 * same rows until it expires, exactly like the DuckDB engine.
 */
export class AthenaEngine implements Engine {
  readonly kind = 'athena' as const;
  readonly dialect = athenaDialect;
  readonly options: ResolvedAthenaOptions;
  readonly layout: AthenaLayout;
  private readonly athena: AthenaClient;
  private readonly s3: S3Client;
  private readonly glue: GlueClient;
  private readonly owned: { destroy(): void }[] = [];
  private readonly runner: AthenaQueryRunner;
  private readonly lake: S3Lake;
  private readonly manifests: ManifestCache;
  private readonly abandoned: AbandonedVersions;

  constructor(options: AthenaEngineOptions, clients: AthenaClients = {}) {
    this.options = resolveAthenaOptions(options);
    // Landing: the one given, else the lake's own (landingLayout() knows the live version's).
    this.layout = new AthenaLayout(this.options.lake, this.options.landing ?? this.options.lake);
    // No credentials here: the SDK's default provider chain (env, profile, SSO, instance role) finds them.
    // A call that cannot connect, or whose answer stalls, fails after awsTimeoutMs (the SDK then tries it twice more).
    const requestHandler = { connectionTimeout: this.options.awsTimeoutMs, socketTimeout: this.options.awsTimeoutMs };
    const config = this.options.region ? { region: this.options.region, requestHandler } : { requestHandler };
    this.athena = clients.athena ?? this.own(new AthenaClient(config));
    this.s3 = clients.s3 ?? this.own(new S3Client(config));
    this.glue = clients.glue ?? this.own(new GlueClient(config));
    this.runner = new AthenaQueryRunner(this.athena, this.options, clients.clock ?? systemClock);
    this.lake = new S3Lake(this.s3, this.options.awsTimeoutMs);
    this.manifests = new ManifestCache(() => this.lake.readManifest(this.layout.manifestUrl), this.options.manifestCacheMs);
    this.abandoned = new AbandonedVersions(this.s3, this.layout, this.lake, this.options.awsTimeoutMs);
  }

  static async open(options: AthenaEngineOptions, clients?: AthenaClients): Promise<AthenaEngine> {
    return new AthenaEngine(options, clients);
  }

  async manifest(): Promise<LakeManifest | null> {
    return this.manifests.get();
  }

  async tableRef(table: TableName, version: string): Promise<string> {
    const manifest = await this.manifest();
    if (!manifest) throw new LakeNotBuiltError(this.options.lake);
    // Landing tables read the landing data as it is now (the JSON is re-read on every query), through the view of the
    // version the manifest names live, not the live view: a manifest PUT that lands after its build gave up leaves that naming another.
    if (TABLES[table].zone === 'landing') return qualified(this.options.database, versionedName(table, manifest.versions[0].version));
    if (!manifest.versions.some((v) => v.version === version)) throw new StaleVersionError(version);
    return qualified(this.options.database, versionedName(table, version));
  }

  /**
   * The live version's view of the emails a quarantined customer line makes uncertain. Like the
   * live landing view, it reads the landing prefix as it is now, so the consent registry applies
   * doubt hides to landing that changed after the build, as the embedded reader does.
   */
  async consentUncertainRef(): Promise<string> {
    const manifest = await this.manifest();
    const live = manifest?.versions[0];
    if (!live) throw new LakeNotBuiltError(this.options.lake);
    return qualified(this.options.database, consentUncertainName(live.version));
  }

  /** Beside it, the devices customers have left that a bad line puts in doubt, read from the live version's checked landing view as it is now. */
  async heldInDoubtRef(): Promise<string> {
    const live = (await this.manifest())?.versions[0];
    if (!live) throw new LakeNotBuiltError(this.options.lake);
    return heldInDoubtSql(this.options.database, live.version);
  }

  /**
   * The landing objects the live views read, listed (keys, sizes, ETags, LastModified) with the live
   * version: one LIST instead of the consent registry's two billed scans when nothing changed.
   */
  async landingIdentity(source: Source): Promise<LandingIdentity> {
    const live = (await this.manifest())?.versions[0];
    if (!live) throw new LakeNotBuiltError(this.options.lake);
    // The prefix its build was given, which the live views read: a server started without --landing lists the lake's own.
    const layout = live.landing.startsWith('s3://') ? new AthenaLayout(this.options.lake, live.landing.replace(/\/+$/, '')) : this.layout;
    return listedLandingIdentity(this.s3, boundedBy(this.options.awsTimeoutMs), layout.landingPrefix(source), live.version);
  }

  /**
   * Runs a SELECT with positional `?` parameters, which Athena accepts only
   * in WHERE clauses (anything else is refused before Athena is called; a
   * LIMIT belongs in the text as a validated integer, see `sqlInteger`).
   */
  async query(sql: string, params: SqlValue[] = [], options: QueryOptions = {}): Promise<Row[]> {
    const execution = await this.run(sql, params, options);
    return readResultRows(this.athena, execution, { call: (send) => this.runner.retryThrottled(send, options.signal) });
  }

  async exportToFile(sql: string, params: SqlValue[], format: ExportFormat, path: string, options: QueryOptions = {}): Promise<number> {
    const execution = await this.run(sql, params, options);
    const columns = await readResultColumns(this.athena, execution, { call: (send) => this.runner.retryThrottled(send, options.signal) });
    return exportResultFile(this.s3, execution, columns, format, path, { timeoutMs: this.options.awsTimeoutMs, signal: options.signal });
  }

  /** The landing prefix a build and `stedi doctor` read (landing-location.ts). */
  async landingLocation(): Promise<string> {
    return landingLocation(this.options.lake, this.options.landing, this.options.landing === undefined ? (await this.manifest())?.versions[0] : undefined);
  }

  readonly landingLayout = async (): Promise<AthenaLayout> => new AthenaLayout(this.options.lake, await this.landingLocation());

  async buildTarget(options: BuildOptions): Promise<BuildTarget> {
    const { database, buildTimeoutMs, warn } = this.options;
    const layout = await this.landingLayout();
    return new AthenaBuildTarget({
      database,
      layout,
      runner: new AthenaStatementRunner(this.athena, this.runner, buildTimeoutMs, this.lake),
      lake: this.lake,
      lock: new S3BuildLock(this.s3, this.layout.lockUrl, this.options.awsTimeoutMs),
      catalog: new GlueCatalog(this.glue, database, this.options.awsTimeoutMs),
      preflight: this.preflight(layout),
      // The landing line limit the embedded engine takes from the build options, when they carry one.
      maxLineBytes: (options as { maxLineBytes?: number }).maxLineBytes,
      warn,
      onPublished: () => this.manifests.forget(),
    });
  }

  /** Who holds the lake's S3 lock, since when, and whether it looks abandoned (lock-holder.ts); null when none does. */
  async buildLockHolder(): Promise<BuildLockInfo | null> {
    const live = await this.manifest().then((m) => m?.versions[0], () => undefined);
    return s3LockHolder(new S3BuildLock(this.s3, this.layout.lockUrl, this.options.awsTimeoutMs), this.layout.lockUrl, live);
  }

  /** Versions a build expired but did not remove, whose data may still hold a withdrawn customer (abandoned-versions.ts). */
  async abandonedVersions(): Promise<string[]> {
    return this.abandoned.of(await this.manifest());
  }

  /**
   * Versions a build published that are on S3 though the lake has no manifest (it was removed or lost): a build refuses
   * to run over them (version-cleanup.ts), so `stedi status` names them. Under a manifest none: a build removes every
   * version it does not keep (abandonedVersions names the published ones until then).
   */
  async unlistedVersions(): Promise<string[]> {
    if (await this.manifest()) return [];
    return publishedLeftovers(await versionsOnS3(this.layout, this.lake), new Set());
  }

  /** The account checks a build runs first; `stedi doctor` runs them alone (over `layout`'s landing; default: the lake's own). */
  preflight(layout: AthenaLayout = this.layout): AthenaPreflight {
    return new AthenaPreflight({ athena: this.athena, glue: this.glue, s3: this.s3, options: this.options, layout, lock: new S3BuildLock(this.s3, this.layout.lockUrl, this.options.awsTimeoutMs) });
  }

  async close(): Promise<void> {
    for (const client of this.owned.splice(0)) client.destroy();
  }

  /** Runs a read to completion; a failure because its version expired under it is a StaleVersionError (expired-read.ts). */
  private async run(sql: string, params: SqlValue[], options: QueryOptions) {
    const runOptions = { timeoutMs: options.timeoutMs ?? this.options.queryTimeoutMs, signal: options.signal, parameters: executionParameters(sql, params) };
    try {
      return await this.runner.run(sql, runOptions);
    } catch (error) {
      throw await explainFailedRead(error, sql, () => {
        this.manifests.forget();
        return this.manifest();
      });
    }
  }

  private own<T extends { destroy(): void }>(client: T): T {
    this.owned.push(client);
    return client;
  }
}

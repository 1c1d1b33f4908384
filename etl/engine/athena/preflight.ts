import { type AthenaClient, GetWorkGroupCommand, type WorkGroup } from '@aws-sdk/client-athena';
import { GetTablesCommand, type GlueClient } from '@aws-sdk/client-glue';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { SOURCES } from '../../tables';
import type { ResolvedAthenaOptions } from './athena-options';
import { type BoundedSend, boundedBy } from './aws-call';
import { awsErrorText, awsFix } from './aws-error-text';
import { landingObjects } from './landing-objects';
import { LIVE_VIEWS } from './object-names';
import { BuildLockHeldError } from './build-lock-errors';
import type { BuildLock } from './s3-build-lock';
import { type AthenaLayout, parseS3Url } from './s3-location';

/**
 * What a build on Athena needs from the account, checked with free metadata
 * calls before any query is paid for: the workgroup, a results location, a
 * workgroup that lets each CTAS choose its location, no foreign Glue table
 * under a live name, landing data, and a writable lake (the lock PUT). Each
 * failure is one line naming the resource and the fix.
 */

export interface PreflightCheck {
  name: string;
  ok: boolean;
  /** What was found, or (failed) the one-line reason and fix. */
  message: string;
}

export class PreflightError extends Error {
  constructor(
    readonly check: string,
    message: string,
  ) {
    super(message);
    this.name = 'PreflightError';
  }
}

export interface PreflightDeps {
  athena: AthenaClient;
  glue: GlueClient;
  s3: S3Client;
  options: ResolvedAthenaOptions;
  layout: AthenaLayout;
  lock: BuildLock;
}

export class AthenaPreflight {
  /** One metadata call within STEDI_AWS_TIMEOUT_MS, retries included: a silent network fails the check, not hangs it. */
  private readonly send: BoundedSend;

  constructor(private readonly deps: PreflightDeps) {
    this.send = boundedBy(deps.options.awsTimeoutMs);
  }

  /** Before a build: throws the first failure as a PreflightError. The lock is left to the build, which takes it next. */
  async check(): Promise<void> {
    await this.workgroup();
    await this.glueTables();
    for (const source of SOURCES) await this.landing(source);
  }

  /**
   * `stedi doctor`: every check, failures included, the lock taken and given back. The checks run at
   * once (reported in this order): on a network that never answers, each waits out its timeouts, and
   * one after another they took six times as long.
   */
  async report(): Promise<PreflightCheck[]> {
    const record = async (name: string, work: () => Promise<string>): Promise<PreflightCheck> => {
      try {
        return { name, ok: true, message: await work() };
      } catch (error) {
        return { name, ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    };
    return Promise.all([
      record('workgroup', () => this.workgroup()),
      record('glue tables', () => this.glueTables()),
      ...SOURCES.map((source) => record(`${source} landing`, () => this.landing(source))),
      record('lake writable', () => this.lakeWritable()),
    ]);
  }

  private async workgroup(): Promise<string> {
    const { athena, options } = this.deps;
    const name = options.workgroup;
    let group: WorkGroup | undefined;
    try {
      group = (await this.send((o) => athena.send(new GetWorkGroupCommand({ WorkGroup: name }), o))).WorkGroup;
    } catch (error) {
      if (/not found|does not exist/i.test((error as Error).message ?? '')) {
        throw new PreflightError('workgroup', `Athena workgroup "${name}" does not exist${options.region ? ` in ${options.region}` : ''}: create it (aws athena create-work-group --name ${name}) or pass --workgroup / STEDI_ATHENA_WORKGROUP`);
      }
      throw new PreflightError('workgroup', `cannot read Athena workgroup "${name}" (${awsErrorText(error)}): ${awsFix(error, 'grant athena:GetWorkGroup on it')}`);
    }
    if (group?.State === 'DISABLED') {
      throw new PreflightError('workgroup', `Athena workgroup "${name}" is disabled: enable it (aws athena update-work-group --work-group ${name} --state ENABLED) or pass another --workgroup`);
    }
    const config = group?.Configuration;
    if (config?.EnforceWorkGroupConfiguration) {
      throw new PreflightError(
        'workgroup',
        `Athena workgroup "${name}" overrides client-side settings, so Athena refuses the external_location that puts each built version in its own prefix: build with a workgroup that does not (--workgroup / STEDI_ATHENA_WORKGROUP) or turn "Override client-side settings" off; the API may keep using "${name}"`,
      );
    }
    if (config?.ManagedQueryResultsConfiguration?.Enabled && options.outputLocation) {
      throw new PreflightError(
        'workgroup',
        `Athena workgroup "${name}" keeps query results in Athena managed storage, and Athena refuses a query that also names an output location: unset STEDI_ATHENA_OUTPUT (--output-location), or use a workgroup with an S3 results location`,
      );
    }
    const results = options.outputLocation ?? config?.ResultConfiguration?.OutputLocation;
    if (!results && !config?.ManagedQueryResultsConfiguration?.Enabled) {
      throw new PreflightError(
        'workgroup',
        `Athena workgroup "${name}" has no query results location and STEDI_ATHENA_OUTPUT is not set: set STEDI_ATHENA_OUTPUT (or --output-location) to an s3:// prefix this identity can write, or give the workgroup a results location`,
      );
    }
    return results
      ? `Athena workgroup "${name}" is usable; query results go to ${results}`
      : `Athena workgroup "${name}" is usable; query results go to Athena managed storage, so /export (which copies a result file from S3) is not available: use a workgroup with an S3 results location for it`;
  }

  private async glueTables(): Promise<string> {
    const { glue, options } = this.deps;
    const database = options.database;
    const live = new Set<string>(LIVE_VIEWS);
    const tables: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.send((o) => glue.send(new GetTablesCommand({ DatabaseName: database, NextToken: token }), o));
        for (const table of page.TableList ?? []) {
          if (table.Name && live.has(table.Name) && table.TableType !== 'VIRTUAL_VIEW') tables.push(table.Name);
        }
        token = page.NextToken;
      } while (token);
    } catch (error) {
      if ((error as { name?: string }).name === 'EntityNotFoundException') return `Glue database "${database}" does not exist yet; the build creates it`;
      throw new PreflightError('glue tables', `cannot list the tables of Glue database "${database}" (${awsErrorText(error)}): ${awsFix(error, 'grant glue:GetTables on the catalog, the database and its tables')}`);
    }
    if (tables.length > 0) {
      const names = tables.sort().map((t) => `"${t}"`).join(', ');
      throw new PreflightError(
        'glue tables',
        `Glue database "${database}" already holds ${tables.length === 1 ? 'a table' : 'tables'} ${names} where the build publishes views of the same names: drop ${tables.length === 1 ? 'it' : 'them'} (DROP TABLE leaves the S3 data) or use another database (--glue-database / STEDI_GLUE_DATABASE)`,
      );
    }
    return `Glue database "${database}" has no table under a live name`;
  }

  private async landing(source: string): Promise<string> {
    const prefix = this.deps.layout.landingPrefix(source as (typeof SOURCES)[number]);
    const { bucket, key } = parseS3Url(prefix);
    const names: string[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await this.send((o) => this.deps.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }), o));
        // A console "folder" is an empty object ending in /: it holds no data.
        for (const object of page.Contents ?? []) if (object.Key?.startsWith(key) && !object.Key.endsWith('/')) names.push(object.Key.slice(key.length));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw new PreflightError(`${source} landing`, `cannot list the landing prefix ${prefix} (${awsErrorText(error)}): ${awsFix(error, `grant s3:ListBucket on bucket ${bucket} for that prefix, or fix --landing / STEDI_LANDING`)}`);
    }
    const { read, skippedByAthena, readByAthenaOnly } = landingObjects(names);
    const some = (list: string[]): string => `${list.slice(0, 3).map((n) => `${prefix}${n}`).join(', ')}${list.length > 3 ? ` and ${list.length - 3} more` : ''}`;
    if (skippedByAthena.length > 0) {
      throw new PreflightError(`${source} landing`, `Athena skips objects whose names start with _ or ., which the embedded engine reads as landing data (${some(skippedByAthena)}): rename them without the leading _ or . so both engines read the same records`);
    }
    if (readByAthenaOnly.length > 0) {
      throw new PreflightError(
        `${source} landing`,
        `Athena reads every object under the landing prefix, but landing data is only the .json, .jsonl and .ndjson files directly in it (${some(readByAthenaOnly)}): move the other objects out of ${prefix}, or give landing files one of those names`,
      );
    }
    if (read.length === 0) {
      throw new PreflightError(`${source} landing`, `the landing prefix ${prefix} holds no objects: upload the ${source} NDJSON files there, or point --landing / STEDI_LANDING at the prefix holding ${source}/landing/`);
    }
    return `${prefix} holds data`;
  }

  private async lakeWritable(): Promise<string> {
    const { lock, layout } = this.deps;
    try {
      await lock.acquire('stedi doctor');
    } catch (error) {
      // Held by a build: that build wrote it, so the lake is writable.
      if (error instanceof BuildLockHeldError) return `a build is running (${layout.lockUrl} is held)`;
      throw error;
    }
    await lock.release();
    return `${layout.lake}/ is writable (the build lock was taken and given back)`;
  }
}

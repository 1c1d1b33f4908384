import { randomUUID } from 'node:crypto';
import type { ConsentPolicy } from '../../etl/consent-policy';
import type { Engine } from '../../etl/engine/engine';
import { liveVersion, type VersionManifest } from '../../etl/manifest';
import type { Config } from '../config';
import { buildPolicy } from '../consent/live-policy';
import type { Logger } from '../logger';
import { ShuttingDownError } from './failure-message';
import { recordFailed, recordPublished } from './job-outcome';
import { type RebuildJob, finishSteps, newJob, recordProgress } from './rebuild-job';
import type { BuildRunner, Rebuilds } from './rebuilds';
import { type BuiltVersion, buildInChildProcess, buildInThisProcess } from './rebuild-process';
import { settleWithin } from '../settle-within';

/** The most a build waits for the servers to load its new version before publishing anyway. */
export const STAGE_TIMEOUT_MS = 30_000;

/** What a stopping server says while it waits for a running build, and what a second signal would do to it. */
const WAITING_AT_EXIT: Record<Config['engine'], string> = {
  duckdb: 'waiting for the running rebuild to publish or fail before exiting; a second signal exits now, and the rebuild process goes on to publish or fail by itself',
  athena: "waiting for the running rebuild to publish or fail before exiting; a second signal exits now and cuts it off: the live version keeps serving, and the lake's lock stays behind (the next build names the object to delete)",
};

/** Jobs kept in memory for `rebuildJob(id)`; older finished ones are dropped. */
export const JOBS_KEPT = 20;

/**
 * Background rebuilds started through the API: one at a time, reported while
 * they run. Readers are untouched until the build publishes the new manifest.
 * Just before, `beforePublish` loads the new version (in every worker of a
 * cluster) so its first readers find it ready; after, `afterPublish` refreshes
 * consent. `onChange` hears of every change of a job.
 */
export class RebuildJobs implements Rebuilds {
  private readonly jobs = new Map<string, RebuildJob>();
  private running?: { job: RebuildJob; done: Promise<void> };
  private starting?: Promise<RebuildJob>;
  /** Private: close() was called: a build started after it would outlive the server and its engine. */
  private closed = false;
  private closing?: Promise<void>;
  private readonly build: BuildRunner;

  constructor(
    private readonly engine: Engine,
    private readonly config: Config,
    private readonly logger: Logger,
    /** Called after a successful publish with the new version (warm it, refresh consent). */
    private readonly afterPublish: (version: string) => Promise<unknown> = async () => undefined,
    build?: BuildRunner,
  ) {
    // An Athena build runs on AWS (this process only waits for CTAS statements): a child would only cost a process start.
    this.build = build ?? (config.engine === 'athena' ? buildInThisProcess(engine) : buildInChildProcess);
  }

  /** Called whenever a job changes (a cluster's primary tells its workers). */
  onChange?: () => void;

  /** Loads a built version before it is published; the publish waits for it up to `stageTimeoutMs`, whatever its outcome. */
  beforePublish?: (version: VersionManifest) => Promise<void>;
  stageTimeoutMs = STAGE_TIMEOUT_MS;

  /** Starts a build, or returns the one already running. */
  async start(consentPolicy?: ConsentPolicy): Promise<RebuildJob> {
    if (this.running) return this.running.job;
    if (this.closed) throw new ShuttingDownError();
    this.starting ??= this.begin(consentPolicy).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  get(id: string): RebuildJob | undefined {
    return this.jobs.get(id);
  }

  /** Newest first. */
  list(): RebuildJob[] {
    return [...this.jobs.values()].reverse();
  }

  current(): RebuildJob | undefined {
    return this.running?.job;
  }

  async settled(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.running?.done;
  }

  /** Refuses new builds at once, and waits for a running one to publish or fail: a build is never cut off half way. Said once however often called. */
  close(): Promise<void> {
    this.closed = true;
    return (this.closing ??= this.waitForRunning());
  }

  private async waitForRunning(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const running = this.running;
    if (!running) return;
    // Said, or an operator sees a stopping server go quiet for as long as the build takes (minutes at scale).
    const { id, completedSteps, totalSteps } = running.job;
    this.logger.info({ rebuildJob: id, completedSteps, totalSteps }, WAITING_AT_EXIT[this.config.engine]);
    await running.done;
  }

  private async begin(consentPolicy: ConsentPolicy | undefined): Promise<RebuildJob> {
    const job = newJob(randomUUID(), consentPolicy ?? (await buildPolicy(this.engine, this.config)));
    this.remember(job);
    const done = this.run(job).finally(() => {
      this.running = undefined;
      this.onChange?.();
    });
    this.running = { job, done };
    return job;
  }

  private async run(job: RebuildJob): Promise<void> {
    const log = this.logger.child({ rebuildJob: job.id });
    // Private: let start() return the QUEUED job before any work begins.
    await new Promise((resolve) => setImmediate(resolve));
    job.state = 'RUNNING';
    job.startedAt = new Date();
    this.onChange?.();
    log.info({ consentPolicy: job.consentPolicy }, 'rebuild started');
    let staged: string | undefined;
    try {
      const options = { consentPolicy: job.consentPolicy, keepVersions: this.config.keepVersions, maxLineBytes: this.config.maxLineBytes, doubtTextBytes: this.config.doubtTextBytes, landingSettle: this.config.landingSettle };
      const built = await this.build(
        this.config,
        options,
        (progress) => {
          recordProgress(job, progress);
          this.onChange?.();
        },
        (version) => {
          staged = version.version;
          return this.stage(version, log);
        },
        // Else an operator sees a rebuild take far longer, and its progress start over, with no reason given.
        ({ file, change, build, builds }) =>
          log.warn({ file, change, build, builds }, 'rebuild goes again: a landing file changed while it was read (a writer still at work); steps done stay counted'),
      ).catch(async (error: unknown): Promise<BuiltVersion> => {
        // The build process died (a kill, out of memory) after its manifest was written, before it said so: its version is live.
        if (staged === undefined || !(await this.isLive(staged))) throw error;
        log.warn({ err: error, version: staged }, 'the rebuild process ended without reporting, after publishing its version');
        finishSteps(job);
        return { version: staged, durationMs: Date.now() - job.startedAt!.getTime() };
      });
      recordPublished(job, built, this.config.lake, log);
      await this.warm(built.version, log);
      job.state = 'SUCCEEDED';
      log.info({ version: built.version, durationMs: built.durationMs }, 'rebuild succeeded');
    } catch (error) {
      recordFailed(job, error, this.config.lake, log);
    } finally {
      job.finishedAt = new Date();
      this.onChange?.();
    }
  }

  /** Before the swap: the servers load the new version, bounded in time (a server that is not ready loads it on first use). */
  private async stage(version: VersionManifest, log: Logger): Promise<void> {
    if (!this.beforePublish) return;
    const started = Date.now();
    const loading = this.beforePublish;
    // A failure of any kind, even one thrown at once, only means readers load the version on first use.
    const outcome = await settleWithin(Promise.resolve().then(() => loading(version)), this.stageTimeoutMs);
    if (outcome === 'pending') log.warn({ version: version.version, timeoutMs: this.stageTimeoutMs }, 'loading the new version before publishing took too long; publishing anyway');
    else if (outcome.status === 'rejected') log.warn({ err: outcome.reason, version: version.version }, 'loading the new version before publishing failed; readers will load it on first use');
    else log.debug({ version: version.version, ms: Date.now() - started }, 'new version loaded before publishing');
  }

  /** Loads the new version and refreshes consent so the first readers after the swap do not pay for it. */
  private async warm(version: string, log: Logger): Promise<void> {
    try {
      await this.afterPublish(version);
    } catch (error) {
      log.warn({ err: error, version }, 'warming the new version failed; readers will load it on first use');
    }
  }

  private async isLive(version: string): Promise<boolean> {
    const manifest = await this.engine.manifest().catch(() => null);
    return manifest !== null && liveVersion(manifest)?.version === version;
  }

  private remember(job: RebuildJob): void {
    this.jobs.set(job.id, job);
    this.onChange?.();
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= JOBS_KEPT) break;
      if (old.state === 'SUCCEEDED' || old.state === 'FAILED') this.jobs.delete(id);
    }
  }
}

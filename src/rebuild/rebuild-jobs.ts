import { randomUUID } from 'node:crypto';
import { BuildCheckError, runBuild } from '../../etl/build';
import type { ConsentPolicy } from '../../etl/consent-policy';
import type { Engine } from '../../etl/engine/engine';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { expireHoldingVersions } from './erasure';
import { type RebuildJob, newJob, recordProgress } from './rebuild-job';

/** Jobs kept in memory for `rebuildJob(id)`; older finished ones are dropped. */
export const JOBS_KEPT = 20;

/**
 * Background rebuilds started through the API: one at a time, reported while
 * they run. Readers are untouched until runBuild publishes the new manifest;
 * after that the new version is warmed and the consent registry refreshed.
 */
export class RebuildJobs {
  private readonly jobs = new Map<string, RebuildJob>();
  private running?: { job: RebuildJob; done: Promise<void> };
  private starting?: Promise<RebuildJob>;

  constructor(
    private readonly engine: Engine,
    private readonly config: Config,
    private readonly logger: Logger,
    /** Called after a successful publish (the consent registry refresh). */
    private readonly afterPublish: () => Promise<unknown> = async () => undefined,
  ) {}

  /** Starts a build, or returns the one already running. */
  async start(consentPolicy?: ConsentPolicy): Promise<RebuildJob> {
    if (this.running) return this.running.job;
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

  /** Waits for a running build to publish or fail; a build is never cut off half way. */
  async close(): Promise<void> {
    await this.starting;
    await this.running?.done;
  }

  private async begin(consentPolicy: ConsentPolicy | undefined): Promise<RebuildJob> {
    const job = newJob(randomUUID(), consentPolicy ?? (await this.livePolicy()));
    this.remember(job);
    const done = this.run(job).finally(() => {
      this.running = undefined;
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
    log.info({ consentPolicy: job.consentPolicy }, 'rebuild started');
    try {
      const options = {
        consentPolicy: job.consentPolicy,
        keepVersions: this.config.keepVersions,
        maxLineBytes: this.config.maxLineBytes,
        onProgress: recordProgress.bind(null, job),
        background: true,
        expireVersions: expireHoldingVersions(this.engine, this.config.maxLineBytes),
      };
      const manifest = await runBuild(await this.engine.buildTarget(options), options);
      job.version = manifest.version;
      await this.warm(manifest.version, log);
      job.state = 'SUCCEEDED';
      log.info({ version: manifest.version, durationMs: manifest.durationMs }, 'rebuild succeeded');
    } catch (error) {
      job.state = 'FAILED';
      job.error = safeMessage(error, job.id);
      log.error({ err: error }, 'rebuild failed; the previous version stays live');
    } finally {
      job.finishedAt = new Date();
    }
  }

  /** Loads the new version and refreshes consent so the first readers after the swap do not pay for it. */
  private async warm(version: string, log: Logger): Promise<void> {
    try {
      await this.engine.tableRef('machine_learning_curated', version);
      await this.afterPublish();
    } catch (error) {
      log.warn({ err: error, version }, 'warming the new version failed; readers will load it on first use');
    }
  }

  private async livePolicy(): Promise<ConsentPolicy> {
    const manifest = await this.engine.manifest();
    return manifest?.versions[0]?.consentPolicy ?? this.config.consentPolicy;
  }

  private remember(job: RebuildJob): void {
    this.jobs.set(job.id, job);
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= JOBS_KEPT) break;
      if (old.state === 'SUCCEEDED' || old.state === 'FAILED') this.jobs.delete(id);
    }
  }
}

function safeMessage(error: unknown, id: string): string {
  if (error instanceof BuildCheckError) return error.message;
  // Private: by name, so src/ stays free of engine-specific imports.
  if ((error as Error)?.name === 'BuildLockedError') return 'another build is running on this lake (perhaps `stedi build`); try again when it has finished';
  // One line naming the lake path and the fix (not writable, another user's, full): the admin can act on it.
  if ((error as Error)?.name === 'LakeFilesystemError') return `the build failed; the previous version stays live: ${(error as Error).message}`;
  return `the build failed; the previous version stays live. The server log has the details (rebuild job ${id})`;
}

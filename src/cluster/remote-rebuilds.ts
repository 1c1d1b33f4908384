import type { ConsentPolicy } from '../../etl/consent-policy';
import type { RebuildJob } from '../rebuild/rebuild-job';
import type { Rebuilds } from '../rebuild/rebuilds';
import type { ToWorker } from './messages';
import type { PrimaryChannel } from './primary-channel';

/**
 * A worker's view of the primary's rebuild jobs: `start` asks the primary (one
 * rebuild at a time per lake, whichever worker asks), and the jobs are the
 * primary's, pushed to every worker whenever one changes.
 */
export class RemoteRebuilds implements Rebuilds {
  private jobs: RebuildJob[] = [];
  private running: string | null = null;

  constructor(private readonly primary: PrimaryChannel) {
    primary.on('jobs', (message: Extract<ToWorker, { stedi: 'jobs' }>) => {
      this.jobs = message.jobs;
      this.running = message.current;
    });
  }

  async start(consentPolicy?: ConsentPolicy): Promise<RebuildJob> {
    const job = (await this.primary.request({ what: 'rebuild', consentPolicy })) as RebuildJob;
    // The primary's push may still be on its way: this worker knows the job from now on.
    if (!this.jobs.some((j) => j.id === job.id)) this.jobs = [job, ...this.jobs];
    return job;
  }

  get(id: string): RebuildJob | undefined {
    return this.jobs.find((job) => job.id === id);
  }

  list(): RebuildJob[] {
    return this.jobs;
  }

  current(): RebuildJob | undefined {
    return this.running === null ? undefined : this.get(this.running);
  }

  /** The primary waits for a running rebuild; a worker has nothing to wait for. */
  async settled(): Promise<void> {}

  async close(): Promise<void> {}
}

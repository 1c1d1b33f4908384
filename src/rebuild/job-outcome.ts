import { deadBuildsClearedMessage } from '../../etl/build-options';
import { isLandingChanged } from '../../etl/landing-changed-error';
import type { Logger } from '../logger';
import { failureMessage, isLakeBusy, isOperatorsToFix, leftBehindMessage } from './failure-message';
import { type RebuildJob, failRunningSteps } from './rebuild-job';
import type { BuiltVersion } from './rebuild-process';

/** How a rebuild's end is recorded on its job (what `rebuildJob` answers) and said in the server's log (rebuild-jobs.ts). */

/** A build that published: its version, and what it cleared or left behind, said once where it happened. */
export function recordPublished(job: RebuildJob, built: BuiltVersion, lake: string, log: Logger): void {
  job.version = built.version;
  // Said once, where it happened: the operator learns where the disk had gone (a build killed with -9 before).
  if (built.deadBuilds) log.info({ ...built.deadBuilds }, deadBuildsClearedMessage(built.deadBuilds));
  // Published, but what it expired is still on disk: the admin who asked is told, as `stedi build` tells its user.
  if (built.leftBehind) {
    job.warning = leftBehindMessage(built.leftBehind, job.id, lake);
    log.warn({ version: built.version, reason: built.leftBehind }, 'rebuild published, but expired versions stay on disk');
  }
}

/** A build that failed: the job says why and how to fix it, and the log says so at the level its cause deserves. */
export function recordFailed(job: RebuildJob, error: unknown, lake: string, log: Logger): void {
  job.state = 'FAILED';
  failRunningSteps(job);
  job.error = failureMessage(error, job.id, lake);
  job.lakeBusy = isLakeBusy(error);
  job.landingChanging = isLandingChanged(error);
  // Another build holding the lake (a `stedi build` by hand), or a landing file still being written, is not a fault: said without a stack.
  if (job.lakeBusy) log.warn({ reason: (error as Error).message }, 'rebuild refused: another build holds the lake; the previous version stays live');
  else if (job.landingChanging) log.warn({ reason: (error as Error).message }, 'rebuild failed: a landing file kept changing while it was read (a writer still at work); the previous version stays live');
  // A landing folder or the lake's disk the operator fixes: its message names what and how, a stack would not.
  else if (isOperatorsToFix(error)) log.error({ reason: (error as Error).message }, 'rebuild failed; the previous version stays live');
  else log.error({ err: error }, 'rebuild failed; the previous version stays live');
}

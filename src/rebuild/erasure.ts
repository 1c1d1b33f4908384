import type { Engine } from '../../etl/engine/engine';
import type { VersionManifest } from '../../etl/manifest';
import type { LandingLimits } from '../../etl/landing/landing-reader';
import { type PendingErasure, erasurePending } from '../consent/pending-erasure';
import { readLandingConsent, versionsHoldingHidden } from '../consent/versions-holding';
import type { Logger } from '../logger';
import type { RebuildJob, RebuildState } from './rebuild-job';
import { settleWithin } from '../settle-within';
import { PendingAge } from './pending-age';
import { isShuttingDown } from './failure-message';

/** The longest the erasure rebuild waits to learn whether another build holds the lake. */
const LAKE_LOOK_MS = 5_000;
/** The longest an erasure rebuild waits after failed ones before it is tried again. */
export const MAX_RETRY_WAIT_MS = 60 * 60_000;
/** While the bound stays exceeded in the same way, its error line repeats this often, not at every refresh (every 30 s). */
export const EXCEEDED_LOG_EVERY_MS = 15 * 60_000;

/**
 * The erasure bound: within `erasureMs` of a revocation being read from
 * landing, no kept version holds that customer's rows. A rebuild (started by
 * the server itself, single-flight with admin rebuilds) leaves them out, and
 * at publish every older version still holding such a customer expires.
 * The rebuild starts a third into the bound, so revocations arriving
 * together share one build and two thirds are left for it to finish.
 * A build that fails (a check, damaged landing) fails again until someone
 * fixes it, so after each failure the next try waits twice as long. One
 * refused because another build holds the lake (a `stedi build` by hand) is
 * no such failure: it is tried again at the next refresh.
 * What this process's first refresh finds held may have been read by an
 * earlier process (the server restarted, a worker was replaced): its age is
 * unknown, so its rebuild starts at once. Ages survive a wall clock stepped
 * either way (pending-age.ts): a laptop back from sleep starts a rebuild due
 * meanwhile at its next refresh, rather than when the monotonic timer fires.
 */
export class Erasure {
  private timer?: NodeJS.Timeout;
  /** Private: the timer waits out the first third of the bound (not a failed build's back-off): a clock found later may bring it forward. */
  private timerForLag = false;
  /** Private: the job the last erasure rebuild joined or started, until its outcome is counted. */
  private lastJob?: string;
  /** Private: a start asked for and not answered yet (in a cluster, the primary's answer): a refresh meanwhile would ask again. */
  private starting?: Promise<void>;
  /** Private: stopped (the server is closing): a refresh finishing late, or a start under way, starts nothing. */
  private stopped = false;
  /** Private: the last try found another build holding the lake (said once when it starts and ends). */
  private waitedForLake = false;
  private failures = 0;
  /** Private: what the last consent refresh found, read again when the timer fires. */
  private latest?: PendingErasure;
  /** Private: how long what is pending has been held, whatever the wall clock does. */
  private readonly age = new PendingAge();
  /** Private: when the bound's error line was last logged, and what it said; unset while the bound holds. */
  private exceededLogged?: { at: number; state: string };

  constructor(
    private readonly startRebuild: () => Promise<Pick<RebuildJob, 'id'>>,
    /** A job's state; REFUSED: it failed only because another build held the lake (erasureStateOf). */
    private readonly stateOf: (id: string) => ErasureJobState | undefined,
    private readonly logger: Logger,
    readonly erasureMs: number,
    /** Whether a build this server did not start holds the lake now (a `stedi build` by hand): a job would only be refused. */
    private readonly lakeBusy: () => Promise<boolean> = async () => false,
  ) {}

  /** Called after each consent refresh: starts a rebuild while kept versions hold a withdrawn customer. */
  onRefresh(pending: PendingErasure): void {
    if (this.stopped) return;
    this.latest = pending;
    this.age.look();
    const lag = this.age.ageMs(pending);
    if (!erasurePending(pending)) {
      this.boundMet();
      return;
    }
    // What a dead build left has an unknown age too: it may have died long ago.
    const inherited = this.age.heldAtFirstLook() || pending.abandoned.size > 0;
    // A live version built under a laxer policy than the server's serves nobody meanwhile: nothing to wait for.
    const now = inherited || pending.liveBehind !== undefined;
    if (lag > this.erasureMs) this.logExceeded(pending, lag);
    else this.boundMet();
    // Due already by the wall clock (stepped on, or the machine slept since the timer was set): no reason to wait on.
    if (this.timer && this.timerForLag && lag >= this.erasureMs / 3) this.stopTimer();
    if (this.timer || !this.lastOutcomeKnown()) return;
    this.timerForLag = this.failures === 0;
    const wait = this.failures > 0 ? this.retryWaitMs() : now ? 0 : Math.max(0, this.erasureMs / 3 - lag);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // Erased meanwhile (another worker's rebuild, an admin's): a build now would only repeat it.
      if (this.latest && !erasurePending(this.latest)) return;
      this.starting = this.start(pending).finally(() => (this.starting = undefined));
    }, wait);
    this.timer.unref();
  }

  /** Private: starts (or joins) the erasure rebuild, unless another build holds the lake: then the next refresh tries again. */
  private async start(pending: PendingErasure): Promise<void> {
    // Each try would be a job refused at once: a long build by hand filled the list of recent jobs with them.
    // A look that fails or hangs (a stalled mount) counts as a free lake: the build then says for itself whether it is.
    const look = await settleWithin(this.lakeBusy(), LAKE_LOOK_MS);
    const busy = look !== 'pending' && look.status === 'fulfilled' && look.value;
    // Closed while it looked: a rebuild started now would run on after the server (on its closed engine).
    if (this.stopped) return;
    if (busy !== this.waitedForLake) this.logger.info(busy ? 'erasure rebuild waits: another build holds the lake; tried again at each consent refresh' : 'erasure rebuild: the lake is free');
    this.waitedForLake = busy;
    if (busy) return;
    this.logger.info({ versions: pending.versions.length, abandoned: pending.abandoned.size, failedBefore: this.failures }, 'erasure rebuild starting');
    await this.startRebuild().then(
      (job) => (this.lastJob = job.id),
      // A server (a cluster's primary) stopping refuses it: no fault, the next start's first refresh finds it still held.
      (error: unknown) => isShuttingDown(error)
        ? this.logger.info('erasure rebuild not started: the server is shutting down; it starts again once the server has restarted')
        : this.logger.error({ err: error }, 'could not start the erasure rebuild; retried at the next consent refresh'),
    );
  }

  /**
   * Private: the bound's error line when it is first exceeded, when what is held or the failed rebuilds change,
   * and otherwise every EXCEEDED_LOG_EVERY_MS (the lag metric stays exact at every refresh).
   */
  private logExceeded(pending: PendingErasure, lag: number): void {
    // Which customers are held, not only how many: one released as another withdraws is a change too (kept in memory, never logged).
    const state = `${pending.versions.join(',')} ${[...pending.since.keys()].sort().join('\n')} ${pending.abandoned.size} ${this.failures}`;
    const last = this.exceededLogged;
    // The monotonic clock: a wall clock stepped back an hour silenced the repeat for that hour.
    if (last && last.state === state && performance.now() - last.at < EXCEEDED_LOG_EVERY_MS) return;
    this.exceededLogged = { at: performance.now(), state };
    this.logger.error(
      { lagMs: lag, erasureMs: this.erasureMs, versions: pending.versions.length, customers: pending.since.size, failedRebuilds: this.failures, repeatEveryMs: EXCEEDED_LOG_EVERY_MS },
      'erasure bound exceeded: kept versions still hold customers who withdrew consent',
    );
  }

  /** Private: says once that an exceeded bound holds again, so the next excess is logged at once. */
  private boundMet(): void {
    if (!this.exceededLogged) return;
    this.exceededLogged = undefined;
    // At warn, as the error it ends is seen: an operator logging at warn sees the bound held again, not only broken.
    this.logger.warn('erasure bound met again: no kept version holds a customer who withdrew consent past the bound');
  }

  /** Milliseconds the next try waits after `failures` failed erasure rebuilds in a row. */
  retryWaitMs(): number {
    return Math.min(MAX_RETRY_WAIT_MS, (this.erasureMs / 3) * 2 ** (this.failures - 1));
  }

  /** Private: counts the last job's outcome once it has one; false while it still runs. */
  private lastOutcomeKnown(): boolean {
    if (this.starting) return false;
    if (this.lastJob === undefined) return true;
    const state = this.stateOf(this.lastJob);
    if (state === 'QUEUED' || state === 'RUNNING') return false;
    // A job no longer listed (dropped from the kept jobs) is not counted either way; nor is one refused as the lake was busy:
    // backing off from it let a long `stedi build` by hand push the erasure past the bound (a third, then two thirds later).
    if (state === 'FAILED') this.failures += 1;
    else if (state === 'SUCCEEDED') this.failures = 0;
    this.lastJob = undefined;
    return true;
  }

  /** Starts nothing more; resolves once a start under way has started its rebuild (which the rebuilds' close awaits) or given up. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTimer();
    await this.starting;
  }

  private stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Milliseconds since the oldest revocation still held was first seen (0 when none). */
  lagMs(pending: PendingErasure): number {
    return erasurePending(pending) ? this.age.ageMs(pending) : 0;
  }
}

/**
 * A rebuild job's state as the erasure counts it: REFUSED when it failed only because another build held the lake, or
 * because a landing file kept changing while it was read (a writer still at work, done by a later try).
 */
export type ErasureJobState = RebuildState | 'REFUSED';

/**
 * The job's state for the erasure: a failure that only says the lake was busy, or that a landing file was being written,
 * is REFUSED, not counted as failed. Backing off from a file being written (a third of the bound, then two thirds, …)
 * pushed the erasure past its bound once the writer was done; tried at the next refresh that reads the landing whole instead.
 */
export function erasureStateOf(job: Pick<RebuildJob, 'state' | 'lakeBusy'> & Partial<Pick<RebuildJob, 'landingChanging'>> | undefined): ErasureJobState | undefined {
  if (job?.state === 'FAILED' && (job.lakeBusy || job.landingChanging)) return 'REFUSED';
  return job?.state;
}

/**
 * The build hook that expires, at publish, the older kept versions holding a customer landing now withholds,
 * or readings the new version's policy (`live`'s) leaves out.
 */
export function expireHoldingVersions(engine: Engine, limits: LandingLimits = {}): (older: readonly VersionManifest[], live: VersionManifest) => Promise<readonly string[]> {
  return async (older, live) => {
    if (older.length === 0) return [];
    const landing = await readLandingConsent(engine, older[0].version, limits);
    return versionsHoldingHidden(engine, older, landing, live.consentPolicy);
  };
}

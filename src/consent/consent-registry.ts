import type { ConsentPolicy } from '../../etl/consent-policy';
import type { Engine } from '../../etl/engine/engine';
import type { VersionManifest } from '../../etl/manifest';
import type { Logger } from '../logger';
import { type ConsentSnapshot, createSnapshot, sameHidden } from './consent-snapshot';
import { type RefreshInputs, sameInputs } from './refresh-inputs';
import { VersionCustomers } from './version-customers';
import { ConsentUnavailableError, unlessItSaysItself } from './consent-unavailable';
import { LandingConsentCache } from './landing-consent-cache';
import type { LandingLimits } from '../../etl/landing/landing-reader';
import { hiddenSets } from './hidden-sets';
import { ErasureLedger, type PendingErasure } from './pending-erasure';
import { type ExpiryReason, ExpiryReasons } from './expiry-reasons';
import { StagedVersion } from './staged-version';
import { settleWithin } from '../settle-within';
import { SingleFlight } from '../single-flight';
import { isLandingFolderError } from '../../etl/engine/engine-errors';
import { isLandingChanged } from '../../etl/landing-changed-error';

/** The least a request waits for a read of landing under way before answering that consent is unavailable. */
const MIN_READ_WAIT_MS = 5_000;
/** The most stop() waits for a refresh under way. */
const STOP_WAIT_MS = 5_000;

/**
 * The API's second line of defence for consent. The curated zone was filtered
 * when it was built; this registry re-reads the customer landing records every
 * `refreshMs`, so a customer who revokes consent (a newer landing record
 * without shareWithResearchAsOfDate) or vanishes from landing is hidden from
 * every answer long before the next build. Landing files unchanged since the
 * last read are not read again (LandingConsentCache).
 */
export class ConsentRegistry {
  private current?: ConsentSnapshot;
  /** When `current` was taken, on the monotonic clock: a wall clock stepped back made a stale snapshot look fresh. */
  private currentAt = 0;
  /** The refresh under way, shared by every caller (single-flight.ts). */
  private readonly refreshes = new SingleFlight(() => this.load());
  private timer?: NodeJS.Timeout;
  /** Private: stopped (the server is closing): a refresh that ends later tells nobody, so it starts no erasure rebuild. */
  private stopped = false;
  private generation = 0;
  private readonly versionCustomers: VersionCustomers;
  private readonly landing: LandingConsentCache;
  private readonly erasure: ErasureLedger;
  private readonly expiries = new ExpiryReasons();
  // Private: versions snapshotFor() has refreshed for; forgotten when no longer kept.
  private readonly refreshedFor = new Set<string>();
  // Private: a version about to be published (stage()), given its exclusions before the manifest names it.
  private readonly staged = new StagedVersion();
  // Private: what the current snapshot was computed from; the same inputs again give the same sets, so they are kept.
  private inputs?: RefreshInputs;

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
    readonly refreshMs: number,
    /** `servedPolicy`: the policy this server was given (STEDI_CONSENT_POLICY, --consent-policy); `as-of` holds even over a live version built under `any`. */
    private readonly options: LandingLimits & { onRefresh?: (pending: PendingErasure) => void; settledMs?: number; servedPolicy?: ConsentPolicy } = {},
  ) {
    this.versionCustomers = new VersionCustomers(engine);
    this.erasure = new ErasureLedger(engine, logger);
    // A landing folder missing or unusable fails the read that follows too, and that failure is reported: said once, there.
    this.landing = new LandingConsentCache(engine, { maxLineBytes: options.maxLineBytes, doubtTextBytes: options.doubtTextBytes }, options.settledMs, (error) => {
      if (!isLandingFolderError(error)) this.logger.warn({ err: error }, 'cannot tell whether the customer landing changed; reading it at every refresh until it can');
    });
  }

  /** What kept versions hold that landing hides, as of the last refresh. */
  pendingErasure(): PendingErasure {
    return this.erasure.pending();
  }

  /** Why `version`, no longer kept, expired: undefined when this process cannot tell. `livePolicy`: the live version's now. */
  expiryReason(version: string, livePolicy?: ConsentPolicy): ExpiryReason | undefined {
    return this.expiries.reasonOf(version, livePolicy);
  }

  /** Customers newly seen held by a kept version (a revocation, an uncertain line, a later as-of date). */
  get revocationsSeen(): number {
    return this.erasure.revocationsSeen;
  }

  /** Refreshes every `refreshMs` in the background until `stop()`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => {
        // Stopped meanwhile: the engine closing under a refresh is no fault of the landing.
        if (this.stopped) return;
        // A producer still writing a customer file is expected and passes: said at warn, without a stack, at each refresh it lasts.
        if (isLandingChanged(error)) this.logger.warn({ reason: error.message }, 'consent refresh skipped: a customer landing file changed while it was read; the previous snapshot stays until it is too old');
        // A landing folder missing or holding what no build reads is the operator's to fix: its message says what, a stack would not.
        else if (isLandingFolderError(error)) this.logger.error({ reason: error.message }, 'consent registry refresh failed; the previous snapshot stays until it is too old');
        else this.logger.error({ err: error }, 'consent registry refresh failed; the previous snapshot stays until it is too old');
      });
    }, this.refreshMs);
    this.timer.unref();
  }

  /**
   * Stops the timer; resolves once a refresh under way has ended, so the engine it reads can close, or after
   * STOP_WAIT_MS of one that hangs (a stalled mount must not hold a shutdown): the engine closing fails it.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await settleWithin(this.refreshes.settled(), STOP_WAIT_MS);
  }

  /**
   * The snapshot to answer with. One older than twice the refresh interval
   * (the timer is failing) is refreshed first; if that fails the request
   * fails: answering without a current consent view is not allowed. A lake
   * that cannot be read says so itself; anything else is ConsentUnavailableError.
   */
  async snapshot(): Promise<ConsentSnapshot> {
    const current = this.current;
    if (current && this.fresh()) return current;
    const refreshing = this.refresh();
    // A read that hangs (a stalled network mount) must not hold every request: past its wait it is unavailable.
    const outcome = await settleWithin(refreshing, Math.max(0, this.refreshes.since + Math.max(this.refreshMs, MIN_READ_WAIT_MS) - performance.now()));
    if (outcome === 'pending') throw new ConsentUnavailableError(new Error('the read of the customer landing data has not finished'));
    if (outcome.status === 'fulfilled') return outcome.value;
    throw unlessItSaysItself(outcome.reason);
  }

  /**
   * A snapshot with `version`'s own exclusion list. A version published since the last
   * refresh would be filtered by every hidden serial: the same rows, but a statement
   * thousands of values long to prepare (half a second at 10x). One refresh per version,
   * so a version whose customers cannot be read does not refresh on every request.
   */
  async snapshotFor(version: string, builtUnder?: ConsentPolicy): Promise<ConsentSnapshot> {
    const current = await this.snapshot();
    if (current.covers(version)) return current;
    const known = this.refreshedFor.has(version);
    this.refreshedFor.add(version);
    const snapshot = known ? current : await this.refresh().catch((error: unknown) => {
      this.logger.warn({ err: error, version }, 'consent registry refresh for a new version failed; filtering it by every hidden serial');
      return current;
    });
    // Served as-of, a version built under any hides all its customers, which only its own list names: never answered without it.
    if (!snapshot.covers(version) && builtUnder === 'any' && this.options.servedPolicy === 'as-of') throw new ConsentUnavailableError(new Error(`no exclusion list yet for ${version}`));
    return snapshot;
  }

  /**
   * Gives `version`, which a rebuild is about to publish, its own exclusion list now
   * (refreshing), so the first request on it needs no refresh.
   */
  async stage(version: VersionManifest): Promise<void> {
    this.staged.stage(version);
    // A refresh already running may have started without it.
    if (!(await this.refresh()).covers(version.version)) await this.refresh();
  }

  /** The last snapshot taken, if any (for status pages; never for filtering). */
  peek(): ConsentSnapshot | undefined {
    return this.current;
  }

  /** Why the registry cannot answer now (no snapshot, or one too old to use), or undefined when it can. */
  staleness(): { reason: string; cause?: Error } | undefined {
    const current = this.current;
    if (current && this.fresh()) return undefined;
    const failure = this.refreshes.lastFailure;
    if (failure) return { reason: `its last refresh failed`, cause: failure };
    return { reason: current ? 'it has not refreshed in time' : 'it has not read the landing data yet' };
  }

  /** Re-reads the landing records now; concurrent callers share one read. */
  refresh(): Promise<ConsentSnapshot> {
    return this.refreshes.run();
  }

  private async load(): Promise<ConsentSnapshot> {
    const manifest = await this.engine.manifest();
    const kept = manifest?.versions ?? [];
    const { listed, staged: stagedVersion } = this.staged.listedWith(kept);
    const landing = await this.landing.read(kept[0]?.version ?? '');
    await this.erasure.readAbandoned();
    this.versionCustomers.retain(listed.map((v) => v.version));
    for (const version of this.refreshedFor) if (!kept.some((v) => v.version === version)) this.refreshedFor.delete(version);
    const { lists, unreadable } = await this.erasure.readLists(this.versionCustomers, listed, stagedVersion);
    const inputs: RefreshInputs = { landing, versions: listed.map((v) => `${v.version} ${v.consentPolicy} ${v === stagedVersion}`).join('\n'), lists };
    // An unchanged landing read and the same versions: at 100x rebuilding the sets blocked each worker's event loop for 0.5-2 s every refresh.
    if (this.current && sameInputs(this.inputs, inputs)) return this.reuse(this.current);

    const sets = hiddenSets({ listed, lists, landing, staged: stagedVersion, unreadable, heldBefore: this.erasure.heldBefore(), servedPolicy: this.options.servedPolicy });
    const { emails: hiddenEmails, serials: hiddenSerials, byVersion } = sets;
    this.erasure.record(sets);
    this.expiries.observe(kept, sets.holding, unreadable.keys());

    if (!this.current || !sameHidden(this.current, hiddenSerials, hiddenEmails, byVersion)) this.generation += 1;
    const next = createSnapshot(this.generation, hiddenSerials, hiddenEmails, byVersion, landing.uncertain.size);
    if (this.current && next.generation !== this.current.generation) {
      this.logger.info({ generation: next.generation, hiddenCustomers: hiddenEmails.size }, 'consent registry changed');
    }
    this.current = next;
    this.currentAt = performance.now();
    this.inputs = lists.includes(undefined) ? undefined : inputs;
    if (!this.stopped) this.options.onRefresh?.(this.pendingErasure());
    return next;
  }

  /** Private: the current snapshot is younger than twice the refresh interval (the timer keeps it so unless it fails). */
  private fresh(): boolean {
    return performance.now() - this.currentAt < 2 * this.refreshMs;
  }

  /** The current snapshot again, as of now: same generation, sets and held customers. */
  private reuse(current: ConsentSnapshot): ConsentSnapshot {
    this.current = { ...current, refreshedAt: new Date() };
    this.currentAt = performance.now();
    if (!this.stopped) this.options.onRefresh?.(this.pendingErasure());
    return this.current;
  }
}

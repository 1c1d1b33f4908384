import type { Engine } from '../../etl/engine/engine';
import { EngineClosedError, EngineUnreachableError, LakeDamagedError, LakeNotBuiltError, QueryTimeoutError } from '../../etl/engine/engine-errors';
import { ManifestError, type VersionManifest } from '../../etl/manifest';
import type { Logger } from '../logger';
import { type ConsentSnapshot, createSnapshot, sameHidden } from './consent-snapshot';
import { type RefreshInputs, sameInputs } from './refresh-inputs';
import { type VersionCustomer, VersionCustomers } from './version-customers';
import { ConsentUnavailableError } from './consent-unavailable';
import { LandingConsentCache } from './landing-consent-cache';
import { hiddenSets } from './hidden-sets';
import { settleWithin } from '../settle-within';

/** The least a request waits for a read of landing under way before answering that consent is unavailable. */
const MIN_READ_WAIT_MS = 5_000;

/** How long a staged version is listed without being published (a build that failed after staging). */
const STAGED_MS = 10 * 60_000;

/** Customers a kept version still holds though landing hides them: what the erasure bound must remove. */
export interface PendingErasure {
  /** Held customers and when each was first seen held. */
  readonly since: ReadonlyMap<string, Date>;
  /** Kept versions holding at least one of them. */
  readonly versions: readonly string[];
  /** Versions a dead build expired but left on disk (no manifest names them), and when each was first seen. */
  readonly abandoned: ReadonlyMap<string, Date>;
  /**
   * Kept versions (also in `versions`) whose customers cannot be read, and when each was first seen so: they may
   * hold any customer landing hides, so they count as holding every one (privacy first) until a build expires them.
   */
  readonly unreadable: ReadonlyMap<string, Date>;
}

/** Whether anything on disk still waits for the erasure rebuild. */
export const erasurePending = (pending: PendingErasure): boolean => pending.versions.length > 0 || pending.abandoned.size > 0 || pending.unreadable.size > 0;

// Private: a refresh failing with these is answered as they say (a damaged or unbuilt lake, a timeout, an engine out of reach, a closing server), not as consent unavailable.
const SAYS_ITSELF = [ManifestError, LakeDamagedError, LakeNotBuiltError, QueryTimeoutError, EngineUnreachableError, EngineClosedError];

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
  private inflight?: Promise<ConsentSnapshot>;
  private inflightSince = 0;
  private timer?: NodeJS.Timeout;
  private generation = 0;
  private readonly versionCustomers: VersionCustomers;
  private readonly landing: LandingConsentCache;
  private lastFailure?: Error;
  private held = new Map<string, Date>();
  // Private: the held customers who withdrew consent (revocationsSeen counts each once).
  private revoked = new Set<string>();
  private holding: readonly string[] = [];
  private abandoned = new Map<string, Date>();
  private unreadable = new Map<string, Date>();
  // Private: versions snapshotFor() has refreshed for; forgotten when no longer kept.
  private readonly refreshedFor = new Set<string>();
  // Private: a version about to be published (stage()), given its exclusions before the manifest names it.
  private staged?: { version: VersionManifest; at: number };
  // Private: what the current snapshot was computed from; the same inputs again give the same sets, so they are kept.
  private inputs?: RefreshInputs;
  /** Customers newly seen held by a kept version (a revocation, an uncertain line, a later as-of date). */
  revocationsSeen = 0;

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
    readonly refreshMs: number,
    private readonly options: { maxLineBytes?: number; onRefresh?: (pending: PendingErasure) => void; settledMs?: number } = {},
  ) {
    this.versionCustomers = new VersionCustomers(engine);
    this.landing = new LandingConsentCache(engine, options.maxLineBytes, options.settledMs, (error) =>
      this.logger.warn({ err: error }, 'cannot tell whether the customer landing changed; reading it at every refresh until it can'),
    );
  }

  /** What kept versions hold that landing hides, as of the last refresh. */
  pendingErasure(): PendingErasure {
    return { since: this.held, versions: this.holding, abandoned: this.abandoned, unreadable: this.unreadable };
  }

  /** Refreshes every `refreshMs` in the background until `stop()`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.error({ err: error }, 'consent registry refresh failed; the previous snapshot stays until it is too old'));
    }, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
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
    const outcome = await settleWithin(refreshing, Math.max(0, this.inflightSince + Math.max(this.refreshMs, MIN_READ_WAIT_MS) - performance.now()));
    if (outcome === 'pending') throw new ConsentUnavailableError(new Error('the read of the customer landing data has not finished'));
    if (outcome.status === 'fulfilled') return outcome.value;
    const error: unknown = outcome.reason;
    throw SAYS_ITSELF.some((kind) => error instanceof kind) ? error : new ConsentUnavailableError(error);
  }

  /**
   * A snapshot with `version`'s own exclusion list. A version published since the last
   * refresh would be filtered by every hidden serial: the same rows, but a statement
   * thousands of values long to prepare (half a second at 10x). One refresh per version,
   * so a version whose customers cannot be read does not refresh on every request.
   */
  async snapshotFor(version: string): Promise<ConsentSnapshot> {
    const current = await this.snapshot();
    if (current.covers(version) || this.refreshedFor.has(version)) return current;
    this.refreshedFor.add(version);
    return this.refresh().catch((error: unknown) => {
      this.logger.warn({ err: error, version }, 'consent registry refresh for a new version failed; filtering it by every hidden serial');
      return current;
    });
  }

  /**
   * Gives `version`, which a rebuild is about to publish, its own exclusion list now
   * (refreshing), so the first request on it needs no refresh. Forgotten once kept,
   * or after STAGED_MS if it never is (its build failed).
   */
  async stage(version: VersionManifest): Promise<void> {
    this.staged = { version, at: performance.now() };
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
    if (this.lastFailure) return { reason: `its last refresh failed`, cause: this.lastFailure };
    return { reason: current ? 'it has not refreshed in time' : 'it has not read the landing data yet' };
  }

  /** Re-reads the landing records now; concurrent callers share one read. */
  refresh(): Promise<ConsentSnapshot> {
    if (!this.inflight) {
      this.inflightSince = performance.now();
      this.inflight = this.load()
        .then(
          (snapshot) => {
            this.lastFailure = undefined;
            return snapshot;
          },
          (error: unknown) => {
            this.lastFailure = error instanceof Error ? error : new Error(String(error));
            throw error;
          },
        )
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }

  private async load(): Promise<ConsentSnapshot> {
    const manifest = await this.engine.manifest();
    const kept = manifest?.versions ?? [];
    const staged = this.staged;
    if (staged && (kept.some((v) => v.version === staged.version.version) || performance.now() - staged.at > STAGED_MS)) this.staged = undefined;
    // Listed after the kept ones; its held customers are hidden but wait for the next refresh to count as pending erasure.
    const stagedVersion = this.staged?.version;
    const listed = stagedVersion ? [...kept, stagedVersion] : kept;
    const landing = await this.landing.read(kept[0]?.version ?? '');
    await this.readAbandoned();
    this.versionCustomers.retain(listed.map((v) => v.version));
    for (const version of this.refreshedFor) if (!kept.some((v) => v.version === version)) this.refreshedFor.delete(version);
    const lists: (readonly VersionCustomer[] | undefined)[] = [];
    const unreadable = new Map<string, Date>();
    for (const version of listed) {
      try {
        lists.push(await this.versionCustomers.of(version.version));
      } catch (error) {
        lists.push(undefined);
        // The version being published is new: its build has just read it.
        if (version === stagedVersion) continue;
        const since = this.unreadable.get(version.version);
        // Once per version while it stays unreadable (a refresh every 30 s would repeat it).
        if (since === undefined) this.logger.warn({ err: error, version: version.version }, 'consent registry cannot read the customers of a kept version; it counts as holding every hidden customer, erasure pending');
        unreadable.set(version.version, since ?? new Date());
      }
    }
    this.unreadable = unreadable;
    const inputs: RefreshInputs = { landing, versions: listed.map((v) => `${v.version} ${v.consentPolicy} ${v === stagedVersion}`).join('\n'), lists };
    // An unchanged landing read and the same versions: at 100x rebuilding the sets blocked each worker's event loop for 0.5-2 s every refresh.
    if (this.current && sameInputs(this.inputs, inputs)) return this.reuse(this.current);

    const { emails: hiddenEmails, serials: hiddenSerials, byVersion, held, revoked, holding } = hiddenSets({ listed, lists, landing, staged: stagedVersion, unreadable, heldBefore: this.held });
    // Revocations, not customers held only by a version built under another policy.
    const seen = [...revoked].filter((email) => !this.revoked.has(email)).length;
    if (seen > 0) {
      this.revocationsSeen += seen;
      // Counts only: emails are landing content and stay out of logs.
      this.logger.info({ revocationsSeen: seen, versionsHolding: holding.length }, 'kept versions hold customers whose consent is withdrawn or uncertain; erasure pending');
    }
    this.held = held;
    this.revoked = revoked;
    this.holding = holding;

    if (!this.current || !sameHidden(this.current, hiddenSerials, hiddenEmails, byVersion)) this.generation += 1;
    const next = createSnapshot(this.generation, hiddenSerials, hiddenEmails, byVersion, landing.uncertain.size);
    if (this.current && next.generation !== this.current.generation) {
      this.logger.info({ generation: next.generation, hiddenCustomers: hiddenEmails.size }, 'consent registry changed');
    }
    this.current = next;
    this.currentAt = performance.now();
    this.inputs = lists.includes(undefined) ? undefined : inputs;
    this.options.onRefresh?.(this.pendingErasure());
    return next;
  }

  /** Private: the current snapshot is younger than twice the refresh interval (the timer keeps it so unless it fails). */
  private fresh(): boolean {
    return performance.now() - this.currentAt < 2 * this.refreshMs;
  }

  /** Private: what dead builds left on disk, each with when it was first seen. */
  private async readAbandoned(): Promise<void> {
    const versions = await this.engine.abandonedVersions?.().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'cannot list the versions dead builds left on disk');
      return [] as string[];
    });
    const abandoned = new Map<string, Date>();
    for (const version of versions ?? []) abandoned.set(version, this.abandoned.get(version) ?? new Date());
    if ([...abandoned.keys()].some((version) => !this.abandoned.has(version))) {
      this.logger.warn({ versions: abandoned.size }, 'a dead build left expired versions on disk; erasure pending');
    }
    this.abandoned = abandoned;
  }

  /** The current snapshot again, as of now: same generation, sets and held customers. */
  private reuse(current: ConsentSnapshot): ConsentSnapshot {
    this.current = { ...current, refreshedAt: new Date() };
    this.currentAt = performance.now();
    this.options.onRefresh?.(this.pendingErasure());
    return this.current;
  }
}

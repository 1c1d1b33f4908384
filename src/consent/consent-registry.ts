import type { Engine } from '../../etl/engine/engine';
import type { Logger } from '../logger';
import { type ConsentSnapshot, createSnapshot, sameHidden } from './consent-snapshot';
import { freshestLandingSql } from './consent-sql';
import { VersionCustomers } from './version-customers';

/**
 * The API's second line of defence for consent. The curated zone was filtered
 * when it was built; this registry re-reads the customer landing records every
 * `refreshMs`, so a customer who revokes consent (a newer landing record
 * without shareWithResearchAsOfDate) or vanishes from landing is hidden from
 * every answer long before the next build.
 */
export class ConsentRegistry {
  private current?: ConsentSnapshot;
  private inflight?: Promise<ConsentSnapshot>;
  private timer?: NodeJS.Timeout;
  private generation = 0;
  private readonly versionCustomers: VersionCustomers;
  private lastFailure?: Error;

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
    readonly refreshMs: number,
  ) {
    this.versionCustomers = new VersionCustomers(engine);
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
   * fails: answering without a current consent view is not allowed.
   */
  async snapshot(): Promise<ConsentSnapshot> {
    const current = this.current;
    if (current && Date.now() - current.refreshedAt.getTime() < 2 * this.refreshMs) return current;
    return this.refresh();
  }

  /** The last snapshot taken, if any (for status pages; never for filtering). */
  peek(): ConsentSnapshot | undefined {
    return this.current;
  }

  /** Why the registry cannot answer now (no snapshot, or one too old to use), or undefined when it can. */
  staleness(): { reason: string; cause?: Error } | undefined {
    const current = this.current;
    if (current && Date.now() - current.refreshedAt.getTime() < 2 * this.refreshMs) return undefined;
    if (this.lastFailure) return { reason: `its last refresh failed`, cause: this.lastFailure };
    return { reason: current ? 'it has not refreshed in time' : 'it has not read the landing data yet' };
  }

  /** Re-reads the landing records now; concurrent callers share one read. */
  refresh(): Promise<ConsentSnapshot> {
    if (!this.inflight) {
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
    const kept = manifest?.versions.map((v) => v.version) ?? [];
    // Private: landing tables ignore the version; any kept one (or none) will do.
    const landing = await this.engine.tableRef('customer_landing', kept[0] ?? '');
    const freshest = await this.engine.query(freshestLandingSql(landing));

    const consenting = new Set<string>();
    const hiddenSerials = new Set<string>();
    const hiddenEmails = new Set<string>();
    for (const row of freshest) {
      const email = String(row.email);
      if (row.consenting === true) consenting.add(email);
      else {
        hiddenEmails.add(email);
        if (row.serialNumber != null) hiddenSerials.add(String(row.serialNumber));
      }
    }

    const byVersion = new Map<string, readonly string[]>();
    this.versionCustomers.retain(kept);
    for (const version of kept) {
      let customers;
      try {
        customers = await this.versionCustomers.of(version);
      } catch (error) {
        // A damaged version serves nothing; without its list it filters by every hidden serial.
        this.logger.warn({ err: error, version }, 'consent registry cannot read the customers of a kept version');
        continue;
      }
      const excluded = new Set<string>();
      for (const { email, serialNumber: serial } of customers) {
        // A customer the version holds whose freshest landing record withholds consent, or who left landing.
        if (!consenting.has(email) || hiddenSerials.has(serial)) {
          hiddenEmails.add(email);
          hiddenSerials.add(serial);
          excluded.add(serial);
        }
      }
      byVersion.set(version, [...excluded].sort());
    }

    if (!this.current || !sameHidden(this.current, hiddenSerials, hiddenEmails, byVersion)) this.generation += 1;
    const next = createSnapshot(this.generation, hiddenSerials, hiddenEmails, byVersion);
    if (this.current && next.generation !== this.current.generation) {
      this.logger.info({ generation: next.generation, hiddenCustomers: hiddenEmails.size }, 'consent registry changed');
    }
    this.current = next;
    return next;
  }
}

import type { Engine } from '../../etl/engine/engine';
import type { VersionManifest } from '../../etl/manifest';
import type { Logger } from '../logger';
import type { HiddenSets } from './hidden-sets';
import type { VersionCustomer, VersionCustomers } from './version-customers';

/** Customers a kept version still holds though landing hides them: what the erasure bound must remove. */
export interface PendingErasure {
  /** Held customers and when each was first seen held. */
  readonly since: ReadonlyMap<string, Date>;
  /** Kept versions holding at least one of them. */
  readonly versions: readonly string[];
  /** Versions expired but still on disk (a dead build's, or one whose removal was refused; no manifest names them), and when each was first seen. */
  readonly abandoned: ReadonlyMap<string, Date>;
  /**
   * Kept versions (also in `versions`) whose customers cannot be read, and when each was first seen so: they may
   * hold any customer landing hides, so they count as holding every one (privacy first) until a build expires them.
   */
  readonly unreadable: ReadonlyMap<string, Date>;
  /** The live version, when built under `any` while this server serves `as-of`: every reading of it is hidden until a rebuild. */
  readonly liveBehind?: string;
}

/** Whether anything on disk still waits for the erasure rebuild. */
export const erasurePending = (pending: PendingErasure): boolean => pending.versions.length > 0 || pending.abandoned.size > 0 || pending.unreadable.size > 0;

/**
 * What the kept versions hold on disk that must go, across consent refreshes: each held customer, unreadable
 * version and version a dead build left, with when it was first seen (the erasure bound runs from then), and the
 * revocations counted once each. Logs counts only: emails are landing content.
 */
export class ErasureLedger {
  private held = new Map<string, Date>();
  // Private: the held customers who withdrew consent (revocationsSeen counts each once).
  private revoked = new Set<string>();
  private absent = new Set<string>();
  private holding: readonly string[] = [];
  private abandoned = new Map<string, Date>();
  private unreadable = new Map<string, Date>();
  private liveBehind?: string;
  /** Customers newly seen held by a kept version (a revocation, an uncertain line, a later as-of date). */
  revocationsSeen = 0;

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
  ) {}

  pending(): PendingErasure {
    return { since: this.held, versions: this.holding, abandoned: this.abandoned, unreadable: this.unreadable, liveBehind: this.liveBehind };
  }

  /** The held customers as of the last refresh: one still held keeps the date first seen. */
  heldBefore(): ReadonlyMap<string, Date> {
    return this.held;
  }

  /** Reads what dead builds left on disk, each with when it was first seen. */
  async readAbandoned(): Promise<void> {
    const versions = await this.engine.abandonedVersions?.().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'cannot list the versions dead builds left on disk');
      return [] as string[];
    });
    const abandoned = new Map<string, Date>();
    for (const version of versions ?? []) abandoned.set(version, this.abandoned.get(version) ?? new Date());
    if ([...abandoned.keys()].some((version) => !this.abandoned.has(version))) {
      this.logger.warn({ versions: abandoned.size }, 'expired versions are still on disk (a build died before removing them, or their removal was refused: `stedi status` names them); erasure pending');
    }
    this.abandoned = abandoned;
  }

  /**
   * Each listed version's customers, undefined where they cannot be read: such a kept version counts as holding
   * every hidden customer (`unreadable`), said once per version while it stays so. `staged` was just read by its build.
   */
  async readLists(customers: VersionCustomers, listed: readonly VersionManifest[], staged?: VersionManifest): Promise<{ lists: (readonly VersionCustomer[] | undefined)[]; unreadable: ReadonlyMap<string, Date> }> {
    const lists: (readonly VersionCustomer[] | undefined)[] = [];
    const unreadable = new Map<string, Date>();
    for (const version of listed) {
      try {
        lists.push(await customers.of(version.version));
      } catch (error) {
        lists.push(undefined);
        if (version === staged) continue;
        const since = this.unreadable.get(version.version);
        if (since === undefined) this.logger.warn({ err: error, version: version.version }, 'consent registry cannot read the customers of a kept version; it counts as holding every hidden customer, erasure pending');
        unreadable.set(version.version, since ?? new Date());
      }
    }
    this.unreadable = unreadable;
    return { lists, unreadable };
  }

  /** Takes what a refresh found held; says when revocations are newly seen, and once per live version built under a laxer policy. */
  record(sets: Pick<HiddenSets, 'held' | 'revoked' | 'absent' | 'holding' | 'liveBehind'>): void {
    // Revocations, not customers held only by a version built under another policy.
    const seen = [...sets.revoked].filter((email) => !this.revoked.has(email)).length;
    if (seen > 0) {
      this.revocationsSeen += seen;
      this.logger.info({ revocationsSeen: seen, versionsHolding: sets.holding.length }, 'kept versions hold customers whose consent is withdrawn or uncertain; erasure pending');
    }
    // Landing is where consent is read: a customer file removed or cut short reads as its customers all withdrawing.
    if ([...sets.absent].some((email) => !this.absent.has(email))) {
      this.logger.warn(
        { customersWithoutRecord: sets.absent.size },
        'customers the live version holds have no record in the customer landing any more (a customer file removed, cut short or replaced?): they are hidden now, and erased from every kept version within STEDI_ERASURE_MS; put the file back if this was not meant',
      );
    }
    this.absent = sets.absent;
    if (sets.liveBehind !== undefined && sets.liveBehind !== this.liveBehind) {
      this.logger.warn(
        { version: sets.liveBehind, builtUnder: 'any', served: 'as-of' },
        'the live version was built under consent policy any but this server serves as-of: none of its readings is served until the server rebuilds under as-of (starting now)',
      );
    }
    this.liveBehind = sets.liveBehind;
    this.held = sets.held;
    this.revoked = sets.revoked;
    this.holding = sets.holding;
  }
}

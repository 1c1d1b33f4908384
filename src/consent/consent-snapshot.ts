import { createHash } from 'node:crypto';

/**
 * What the consent registry knows at one moment: who must be hidden. Resolvers
 * take one snapshot per request so every level of an answer agrees.
 */
export interface ConsentSnapshot {
  /** Changes whenever the hidden set changes; part of every cache key. */
  readonly generation: number;
  /**
   * A digest of whom it hides (31 bits, for `lake { consentGeneration }`): the same in every server process that hides
   * the same customers, where each cluster worker's generation counts its own changes (one started later has fewer).
   */
  digest(): number;
  readonly refreshedAt: Date;
  /** Every serialNumber that must not appear in an answer. */
  readonly hiddenSerials: ReadonlySet<string>;
  /** Every email that must not appear in an answer. */
  readonly hiddenEmails: ReadonlySet<string>;
  /** Customers hidden because a quarantined landing line makes their consent uncertain. */
  readonly uncertain: number;
  /**
   * The hidden serials a kept version actually holds, for its SQL filter:
   * every customer-linked row of a version derives from its customer_trusted,
   * so a serial absent there cannot appear. Unknown versions get every hidden serial.
   */
  exclusionsFor(version: string): readonly string[];
  /** Whether `version` has its own exclusion list (not the fallback of every hidden serial). */
  covers(version: string): boolean;
  /**
   * Every serial hidden from `version`'s reads, for the second check in JS: the hidden serials and those hidden
   * from that version alone (built under `any` while the lake is `as-of`). Made once per version and snapshot.
   */
  hiddenIn(version: string): ReadonlySet<string>;
}

export function createSnapshot(
  generation: number,
  hiddenSerials: ReadonlySet<string>,
  hiddenEmails: ReadonlySet<string>,
  byVersion: ReadonlyMap<string, readonly string[]>,
  uncertain = 0,
): ConsentSnapshot {
  const all = [...hiddenSerials].sort();
  const hiddenByVersion = new Map<string, ReadonlySet<string>>();
  const hiddenIn = (version: string): ReadonlySet<string> => {
    let hidden = hiddenByVersion.get(version);
    if (hidden === undefined) {
      const own = byVersion.get(version)?.filter((serial) => !hiddenSerials.has(serial)) ?? [];
      hidden = own.length === 0 ? hiddenSerials : new Set([...hiddenSerials, ...own]);
      hiddenByVersion.set(version, hidden);
    }
    return hidden;
  };
  let digest: number | undefined;
  return {
    generation,
    // Made when asked (a `lake` query), not at every refresh: hashing every hidden serial is no work for the refresh.
    digest: () => (digest ??= hiddenDigest(all, hiddenEmails, byVersion)),
    refreshedAt: new Date(),
    hiddenSerials,
    hiddenEmails,
    uncertain,
    exclusionsFor: (version) => byVersion.get(version) ?? all,
    covers: (version) => byVersion.has(version),
    hiddenIn,
  };
}

function hiddenDigest(serials: readonly string[], emails: ReadonlySet<string>, byVersion: ReadonlyMap<string, readonly string[]>): number {
  const hash = createHash('sha256').update(JSON.stringify(serials)).update(JSON.stringify([...emails].sort()));
  for (const version of [...byVersion.keys()].sort()) hash.update(JSON.stringify([version, byVersion.get(version)]));
  return hash.digest().readUInt32BE(0) >>> 1;
}

/** Same hidden sets and same per-version exclusions: the generation need not move. */
export function sameHidden(a: ConsentSnapshot, serials: ReadonlySet<string>, emails: ReadonlySet<string>, byVersion: ReadonlyMap<string, readonly string[]>): boolean {
  const sameSet = (x: ReadonlySet<string>, y: ReadonlySet<string>): boolean => x.size === y.size && [...x].every((v) => y.has(v));
  if (!sameSet(a.hiddenSerials, serials) || !sameSet(a.hiddenEmails, emails)) return false;
  for (const [version, list] of byVersion) {
    const before = a.exclusionsFor(version);
    if (before.length !== list.length || before.some((s, i) => s !== list[i])) return false;
  }
  return true;
}

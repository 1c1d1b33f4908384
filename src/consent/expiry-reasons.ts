import type { ConsentPolicy } from '../../etl/consent-policy';

/** Why a version this process saw kept is kept no more (stale-reasons.ts says it to a cursor's holder). */
export type ExpiryReason = 'CONSENT_ERASURE' | 'VERSION_REPLACED';

/** Expired versions remembered: many more than any pull spans (builds come minutes apart). */
const REMEMBERED = 256;

interface Kept {
  readonly version: string;
  readonly consentPolicy: ConsentPolicy;
}

/**
 * What the consent registry saw at each refresh: the kept versions, and those holding a customer consent no longer
 * allows (the erasure expires them). A version gone since was expired by the erasure when it held one, or when it
 * was built under `any` and the version now live under `as-of` (its readings before consent dates), else replaced
 * by newer builds. One the registry has not seen gone yet (published over since its last refresh) is judged as of
 * that refresh and the live policy now. A version whose customers could not be read is neither: nobody can tell.
 */
export class ExpiryReasons {
  private kept = new Map<string, ConsentPolicy>();
  private erasing: ReadonlySet<string> = new Set();
  private unknown: ReadonlySet<string> = new Set();
  private readonly expired = new Map<string, ExpiryReason>();

  /** After a refresh: `kept` by the manifest (live first), `erasing` those holding such a customer, `unreadable` those whose customers it could not read. */
  observe(kept: readonly Kept[], erasing: readonly string[], unreadable: Iterable<string>): void {
    const liveAsOf = kept[0]?.consentPolicy === 'as-of';
    for (const [version, policy] of this.kept) {
      if (kept.some((v) => v.version === version)) continue;
      const why = policy === 'any' && liveAsOf && !this.unknown.has(version) ? 'CONSENT_ERASURE' : this.judged(version);
      if (why !== undefined) this.expired.set(version, why);
    }
    while (this.expired.size > REMEMBERED) this.expired.delete(this.expired.keys().next().value as string);
    this.kept = new Map(kept.map((v) => [v.version, v.consentPolicy]));
    this.erasing = new Set(erasing);
    this.unknown = new Set(unreadable);
  }

  /** Why `version` expired (or is about to), or undefined when this process cannot tell; `livePolicy`: the live version's now. */
  reasonOf(version: string, livePolicy?: ConsentPolicy): ExpiryReason | undefined {
    const known = this.expired.get(version);
    if (known !== undefined || !this.kept.has(version)) return known;
    // Not seen gone yet: built under any, it expired at once when an as-of version went live; the live policy is not known: nobody can tell.
    if (this.kept.get(version) === 'any' && !this.erasing.has(version) && livePolicy !== 'any') return livePolicy === 'as-of' && !this.unknown.has(version) ? 'CONSENT_ERASURE' : undefined;
    return this.judged(version);
  }

  private judged(version: string): ExpiryReason | undefined {
    if (this.unknown.has(version)) return undefined;
    return this.erasing.has(version) ? 'CONSENT_ERASURE' : 'VERSION_REPLACED';
  }
}

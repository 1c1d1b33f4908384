import type { ConsentPolicy } from '../../etl/consent-policy';
import type { VersionManifest } from '../../etl/manifest';
import type { LandingConsent } from './landing-consent';
import type { VersionCustomer } from './version-customers';
import { heldCustomers } from './versions-holding';

/** Who must be hidden, from landing's consent and the customers each listed version holds. */
export interface HiddenSets {
  /** Hidden from every version's reads. */
  readonly emails: Set<string>;
  readonly serials: Set<string>;
  /** Each readable version's own exclusions (its serials hidden, those hidden from it alone included). */
  readonly byVersion: Map<string, readonly string[]>;
  /** Customers a kept version holds that must be erased, with when each was first seen so. */
  readonly held: Map<string, Date>;
  /** The held customers who withdrew consent (not those held only by a version built under another policy). */
  readonly revoked: Set<string>;
  /** Of those, the live version's customers with no record in landing at all (a customer file removed or cut short?). */
  readonly absent: Set<string>;
  /** The kept versions erasure must expire, in listed order. */
  readonly holding: string[];
  /** The live version, when built under `any` while the server serves `as-of`: all its consenting customers are hidden from it. */
  readonly liveBehind?: string;
}

export interface HiddenSetsInput {
  /** The kept versions, live first, then the version being published (`staged`), if any. */
  readonly listed: readonly VersionManifest[];
  /** Each listed version's customers, undefined where they could not be read. */
  readonly lists: readonly (readonly VersionCustomer[] | undefined)[];
  readonly landing: LandingConsent;
  readonly staged?: VersionManifest;
  /** Kept versions whose customers cannot be read: they may hold any customer landing hides. */
  readonly unreadable: ReadonlyMap<string, Date>;
  /** The last refresh's `held`: a customer keeps the date first seen. */
  readonly heldBefore: ReadonlyMap<string, Date>;
  /** The policy the server was given, if any: `as-of` is served even while the live version was built under `any`. */
  readonly servedPolicy?: ConsentPolicy;
}

export function hiddenSets({ listed, lists, landing, staged, unreadable, heldBefore, servedPolicy }: HiddenSetsInput): HiddenSets {
  // The policy readings are served under: the live version's (an older one may have been built under another), or
  // `as-of` when the server was given it, though the live version was built under `any`: privacy first, that version
  // then serves nobody's readings (a read-time filter on every reading's date would touch every query) until the
  // server's erasure rebuild, started at once, publishes one under `as-of`.
  const builtUnder: ConsentPolicy = listed[0]?.consentPolicy ?? 'any';
  const livePolicy: ConsentPolicy = servedPolicy === 'as-of' ? 'as-of' : builtUnder;
  const liveBehind = livePolicy !== builtUnder && listed[0] !== staged ? listed[0]?.version : undefined;
  const sets: HiddenSets = { emails: new Set(landing.withheld), serials: new Set(landing.unsafeSerials), byVersion: new Map(), held: new Map(), revoked: new Set(), absent: new Set(), holding: [], liveBehind };
  for (const [k, version] of listed.entries()) {
    const customers = lists[k];
    // A damaged version serves nothing (STALE_CURSOR); it may still hold, on disk, any customer landing hides.
    if (customers === undefined) {
      if (unreadable.has(version.version)) sets.holding.push(version.version);
      continue;
    }
    const excluded = new Set<string>();
    // The version being published is judged as it will be served, live: under any, it hid everyone until the next refresh.
    const servedUnder = version === staged && servedPolicy !== 'as-of' ? version.consentPolicy : livePolicy;
    for (const customer of heldCustomers(customers, version, landing, servedUnder)) {
      excluded.add(customer.serialNumber);
      if (!customer.onlyHere) {
        sets.emails.add(customer.email);
        sets.serials.add(customer.serialNumber);
      }
      // The version being published is erased by its own build's expiry, not counted here.
      if (version === staged) continue;
      if (customer.withdrawn) sets.revoked.add(customer.email);
      if (k === 0 && customer.withdrawn && !landing.consentDate.has(customer.email) && !landing.withheld.has(customer.email)) sets.absent.add(customer.email);
      sets.held.set(customer.email, heldBefore.get(customer.email) ?? sets.held.get(customer.email) ?? new Date());
      if (sets.holding[sets.holding.length - 1] !== version.version) sets.holding.push(version.version);
    }
    sets.byVersion.set(version.version, [...excluded].sort());
  }
  return sets;
}

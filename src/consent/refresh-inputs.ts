import type { LandingConsent } from './landing-consent';
import type { VersionCustomer } from './version-customers';

/**
 * What one consent refresh computes its snapshot from: the landing read, the
 * versions listed (with their policies, and which is staged) and each one's
 * customers (undefined: unreadable). Reads are cached by identity, so the very
 * same objects mean nothing changed.
 */
export interface RefreshInputs {
  landing: LandingConsent;
  versions: string;
  lists: readonly (readonly VersionCustomer[] | undefined)[];
}

/** The very same landing read and customer lists (by identity) for the same versions under the same policies. */
export function sameInputs(before: RefreshInputs | undefined, now: RefreshInputs): boolean {
  return before !== undefined && before.landing === now.landing && before.versions === now.versions && before.lists.every((list, k) => list === now.lists[k]);
}

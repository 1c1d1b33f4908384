/**
 * The serialNumbers accepted records of each email name, as consent-doubt.ts keeps them: one string per email (the
 * rule is one device per customer), a set only past the first, so the common landing costs one map entry a customer.
 */
export type EmailSerials = Map<string, string | Set<string>>;

/** Adds `serial` to `email`'s serials. */
export function addSerial(serials: EmailSerials, email: string, serial: string): void {
  const known = serials.get(email);
  if (known === undefined) serials.set(email, serial);
  else if (typeof known === 'string') {
    if (known !== serial) serials.set(email, new Set([known, serial]));
  } else known.add(serial);
}

/** The serials of one entry, as a list to iterate (none when absent). */
export const serialsOf = (known: string | ReadonlySet<string> | undefined): Iterable<string> => (known === undefined ? [] : typeof known === 'string' ? [known] : known);

import type { FieldValue } from '../../etl/landing/record-schema';
import { deviceOf } from '../../etl/landing/serial-spelling';
import { TABLES } from '../../etl/tables';

/**
 * What the customer landing records say about consent now, decided by the
 * same rules as customer_trusted.sql and step_trainer_trusted.sql: the
 * freshest record of each email (a tie goes to the record without consent),
 * doubt hides, and a device follows every customer who names it.
 */
export interface LandingConsent {
  /** Consenting emails and the consent date of their freshest record. */
  readonly consentDate: ReadonlyMap<string, number>;
  /** Emails whose freshest record withholds consent, or whose consent is uncertain. */
  readonly withheld: ReadonlySet<string>;
  /** serialNumbers named (in any record) by a withholding customer or by two emails, as written. */
  readonly unsafeSerials: ReadonlySet<string>;
  /** The devices (serial-spelling.ts) of unsafeSerials: a kept version may spell one otherwise. */
  readonly unsafeDevices: ReadonlySet<string>;
  readonly uncertain: ReadonlySet<string>;
  /**
   * Per email, devices (serial-spelling.ts) their older records name that a quarantined line (or another customer's
   * undeclared member) puts in doubt: a kept version built while the device was theirs may hold readings of whoever
   * wrote that line (consent-doubt.ts heldInDoubt). Absent: none.
   */
  readonly heldInDoubt?: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Per device (serial-spelling.ts), the emails whose records name it, whatever their dates: a kept version holding a
   * customer on a device none of their records names any more holds it on no record landing still has. Absent: not known.
   */
  readonly claimedBy?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** One customer's device a bad line puts in doubt (LandingConsent.heldInDoubt), as the landing read or Athena lists them. */
export interface DoubtedHolding {
  email: string;
  device: string;
}

export interface CustomerRecord {
  email: string;
  serialNumber: string;
  registrationDate: number;
  lastUpdateDate: number;
  consentAt: number | null;
}

const COLUMNS = TABLES.customer_landing.columns.map((c) => c.name);
const at = (name: string): number => COLUMNS.indexOf(name);
const EMAIL = at('email');
const SERIAL = at('serialNumber');
const REGISTERED = at('registrationDate');
const UPDATED = at('lastUpdateDate');
const CONSENT = at('shareWithResearchAsOfDate');

/**
 * `text` copied out of the string it was cut from: the landing reader's values are slices of a whole
 * block of the file (up to 4 MiB), which one kept email would otherwise hold for as long as the registry
 * keeps it (every worker held its customer landing file this way).
 */
export const detached = (text: string): string => (' ' + text).slice(1);

export const toCustomerRecord = (values: readonly FieldValue[]): CustomerRecord => ({
  email: detached(values[EMAIL] as string),
  serialNumber: detached(values[SERIAL] as string),
  registrationDate: values[REGISTERED] as number,
  lastUpdateDate: values[UPDATED] as number,
  consentAt: values[CONSENT] as number | null,
});

// customer_trusted.sql's order: lastUpdateDate desc, no consent first, consent date desc, serialNumber, registrationDate desc.
function fresher(a: CustomerRecord, b: CustomerRecord): boolean {
  if (a.lastUpdateDate !== b.lastUpdateDate) return a.lastUpdateDate > b.lastUpdateDate;
  if ((a.consentAt === null) !== (b.consentAt === null)) return a.consentAt === null;
  if (a.consentAt !== b.consentAt) return a.consentAt! > b.consentAt!;
  if (a.serialNumber !== b.serialNumber) return a.serialNumber < b.serialNumber;
  return a.registrationDate > b.registrationDate;
}

export function decideConsent(records: readonly CustomerRecord[], uncertain: ReadonlySet<string>, doubted: readonly DoubtedHolding[] = []): LandingConsent {
  const freshest = new Map<string, CustomerRecord>();
  for (const r of records) {
    const best = freshest.get(r.email);
    if (!best || fresher(r, best)) freshest.set(r.email, r);
  }
  const consentDate = new Map<string, number>();
  const withheld = new Set<string>(uncertain);
  for (const [email, r] of freshest) {
    if (r.consentAt !== null && !uncertain.has(email)) consentDate.set(email, r.consentAt);
    else withheld.add(email);
  }
  // Every record names a device (its serial's spelling, as customer_trusted.sql folds it), whatever its date: a device
  // another customer named before may hold their readings. It is withheld when that customer withholds consent now.
  const claims = new Map<string, { emails: Set<string>; serials: Set<string>; withheld: boolean }>();
  for (const r of records) {
    const device = deviceOf(r.serialNumber);
    const claim = claims.get(device) ?? { emails: new Set<string>(), serials: new Set<string>(), withheld: false };
    claim.emails.add(r.email);
    claim.serials.add(r.serialNumber);
    claim.withheld ||= withheld.has(r.email);
    claims.set(device, claim);
  }
  const unsafeSerials = new Set<string>();
  const unsafeDevices = new Set<string>();
  for (const [device, claim] of claims) {
    if (claim.withheld || claim.emails.size > 1) {
      unsafeDevices.add(device);
      for (const serial of claim.serials) unsafeSerials.add(serial);
    }
  }
  const heldInDoubt = new Map<string, Set<string>>();
  for (const { email, device } of doubted) {
    const devices = heldInDoubt.get(email);
    if (devices) devices.add(device);
    else heldInDoubt.set(email, new Set([device]));
  }
  const claimedBy = new Map<string, ReadonlySet<string>>();
  for (const [device, claim] of claims) claimedBy.set(device, claim.emails);
  return { consentDate, withheld, unsafeSerials, unsafeDevices, uncertain, heldInDoubt, claimedBy };
}

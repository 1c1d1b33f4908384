import type { ConsentPolicy } from '../../etl/consent-policy';
import type { Engine } from '../../etl/engine/engine';
import type { VersionManifest } from '../../etl/manifest';
import { deviceOf } from '../../etl/landing/serial-spelling';
import { landingCustomersSql } from './consent-sql';
import { type LandingConsent, decideConsent, detached, toCustomerRecord } from './landing-consent';
import type { LandingLimits } from '../../etl/landing/landing-reader';
import { type VersionCustomer, VersionCustomers } from './version-customers';

/**
 * Reads the customer landing records now through the engine's landing reader
 * (the build's reader and rules) and decides consent from them.
 */
export async function readLandingConsent(engine: Engine, anyKeptVersion: string, limits: LandingLimits = {}): Promise<LandingConsent> {
  const records: ReturnType<typeof toCustomerRecord>[] = [];
  if (engine.readLanding) {
    const tally = await engine.readLanding('customer', { accept: (values) => records.push(toCustomerRecord(values)), quarantine: () => undefined }, { maxLineBytes: limits.maxLineBytes, doubtTextBytes: limits.doubtTextBytes });
    const doubted = (tally.heldInDoubt ?? []).map(({ email, device }) => ({ email: detached(email), device: detached(device) }));
    return decideConsent(records, new Set(tally.uncertain.map(detached)), doubted);
  }
  // Private: landing tables ignore the version; any kept one (or none) will do.
  const rows = await engine.query(landingCustomersSql(await engine.tableRef('customer_landing', anyKeptVersion)));
  for (const row of rows) {
    records.push({
      email: String(row.email),
      serialNumber: String(row.serialNumber),
      registrationDate: Number(row.registrationDate),
      lastUpdateDate: Number(row.lastUpdateDate),
      consentAt: row.shareWithResearchAsOfDate == null ? null : Number(row.shareWithResearchAsOfDate),
    });
  }
  // Doubt hides here too: a quarantined line naming a customer makes their consent uncertain.
  // And, in the same query, each device a customer has left that a bad line names (a kept version built while it was
  // theirs may hold it): rows with a device.
  const held = engine.heldInDoubtRef ? ` UNION ALL SELECT "email", "device" FROM ${await engine.heldInDoubtRef()}` : '';
  const doubtRows = engine.consentUncertainRef ? await engine.query(`SELECT "email"${held && ', CAST(NULL AS varchar) AS "device"'} FROM ${await engine.consentUncertainRef()}${held}`) : [];
  const uncertain = doubtRows.filter((row) => row.device == null).map((row) => String(row.email));
  const doubted = doubtRows.filter((row) => row.device != null).map((row) => ({ email: String(row.email), device: String(row.device) }));
  return decideConsent(records, new Set(uncertain), doubted);
}

/**
 * A kept version's customers that landing no longer lets it serve: a new build would leave them out (consent
 * withdrawn, uncertain or moved later, their device named by another email or by a customer who withholds consent,
 * whose readings it may hold), or this version holds their readings from before consent (`onlyHere`), so the
 * version must be erased.
 */
export interface HeldCustomer {
  email: string;
  serialNumber: string;
  /**
   * Hidden from this version's reads alone: built under `any` while the lake is `as-of`, it holds readings from
   * before their consent date, which the live version leaves out (hiding them everywhere darkened the live lake).
   */
  onlyHere: boolean;
  /** Landing withdrew or changed their consent (a revocation), not only the lake's policy. */
  withdrawn: boolean;
}

/**
 * The customers `version` holds (`customers`) that must be hidden now: their
 * freshest record withholds consent (or is uncertain, or gone), their device
 * is unsafe (withheld or ambiguous), or, under `as-of`, their consent date moved later than the one
 * the version was built with (it holds readings from before it). A version
 * built under `any` while the lake's policy (`livePolicy`, the live version's)
 * is `as-of` holds every reading, those before each consent date among them:
 * its every consenting customer is hidden there (`onlyHere`) and it is erased.
 */
export function heldCustomers(customers: readonly VersionCustomer[], version: VersionManifest, landing: LandingConsent, livePolicy: ConsentPolicy): HeldCustomer[] {
  const held: HeldCustomer[] = [];
  const everyReading = version.consentPolicy === 'any' && livePolicy === 'as-of';
  for (const { email, serialNumber, consentAt } of customers) {
    const now = landing.consentDate.get(email);
    const movedLater = now !== undefined && version.consentPolicy === 'as-of' && consentAt !== null && now > consentAt;
    // By device: landing may spell the serial otherwise (serial-spelling.ts).
    const device = deviceOf(serialNumber);
    // A device another email names too (ambiguous) may hold that customer's readings (under as-of, from before the
    // holder's consent): landing changed it as a revocation does, so kept versions holding it are erased too.
    // So may one they have left that a bad line names (doubt hides), though a new build leaves it out anyway, and one
    // no record of theirs names any more (their record on it removed from landing, as a customer's may vanish whole):
    // a line naming it is weighed only against the records naming it, so no doubt could be seen to clear it.
    const left = landing.claimedBy !== undefined && landing.claimedBy.get(device)?.has(email) !== true;
    const withdrawn = now === undefined || movedLater || left || landing.unsafeDevices.has(device) || landing.heldInDoubt?.get(email)?.has(device) === true;
    if (withdrawn) held.push({ email, serialNumber, onlyHere: false, withdrawn });
    else if (everyReading) held.push({ email, serialNumber, onlyHere: true, withdrawn: false });
  }
  return held;
}

/** The kept versions holding a customer landing no longer lets them serve under `livePolicy` (what erasure must expire). */
export async function versionsHoldingHidden(engine: Engine, versions: readonly VersionManifest[], landing: LandingConsent, livePolicy: ConsentPolicy): Promise<string[]> {
  const lists = new VersionCustomers(engine);
  const holding: string[] = [];
  for (const v of versions) {
    // A version whose customers cannot be read cannot be shown free of them: it expires too.
    const customers = await lists.of(v.version).catch(() => null);
    if (customers === null || heldCustomers(customers, v, landing, livePolicy).length > 0) holding.push(v.version);
  }
  return holding;
}

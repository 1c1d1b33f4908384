import { createHash } from 'node:crypto';
import { ErrorCode, StediError } from '../errors';
import type { Cursor, KeyValue } from './cursor';

/**
 * A top-level page's cursors carry a digest of the customers consent hid in
 * their version, among those the pull may already have read: every serial up
 * to the cursor's own (rows come in serialNumber order, compared as UTF-8
 * bytes as both engines do). A next page asked once that set changed (one of
 * them withdrew, or consented again) is refused: the pages already read may
 * hold rows now hidden, or miss rows now shown. A change among customers
 * after the cursor is no skew: the pull reads them under the new consent.
 */
const NONE = digest([]);

function digest(serials: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(serials)).digest('base64url').slice(0, 8);
}

// A page's edges share their exclusions and mostly their serial: the last mark is kept.
let lastMark: { exclusions?: readonly string[]; serial?: KeyValue; mark: string } = { mark: NONE };

/** The mark of a cursor at `position` under `exclusions` (its version's hidden serials, sorted). */
export function consentMark(exclusions: readonly string[], position: readonly KeyValue[]): string {
  if (exclusions.length === 0) return NONE;
  if (exclusions === lastMark.exclusions && position[0] === lastMark.serial) return lastMark.mark;
  const last = Buffer.from(String(position[0]));
  const mark = digest(exclusions.filter((serial) => Buffer.compare(Buffer.from(serial), last) <= 0));
  lastMark = { exclusions, serial: position[0], mark };
  return mark;
}


/** STALE_CURSOR when the cursor was issued under another hidden set, among the customers already read, than `exclusions`. */
export function checkConsentMark(cursor: Cursor | undefined, exclusions: readonly string[], field: string): void {
  // A cursor without a mark (forged, or from a release before marks) counts as issued while nobody was hidden.
  if (cursor === undefined || (cursor.consent ?? NONE) === consentMark(exclusions, cursor.position)) return;
  throw new StediError(
    ErrorCode.STALE_CURSOR,
    `consent changed since this pull of ${field} began (a customer whose rows the earlier pages may hold withdrew or gave consent for research in lake version ${cursor.version}): ` +
      'those pages may hold rows that must no longer be used, or miss rows now shown; discard them and start again from the first page',
  );
}

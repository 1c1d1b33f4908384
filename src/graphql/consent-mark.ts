import { createHash, createHmac, type Hash } from 'node:crypto';
import { ErrorCode, StediError } from '../errors';
import type { Cursor, KeyValue } from './cursor';
import { STALE_REASONS } from './stale-reasons';

/**
 * A top-level page's cursors carry a digest of the customers consent hid in
 * their version, among those the pull may already have read: every serial up
 * to the cursor's own (rows come in serialNumber order, compared as UTF-8
 * bytes as both engines do). A next page asked once that set changed (one of
 * them withdrew, or consented again) is refused: the pages already read may
 * hold rows now hidden, or miss rows now shown. A change among customers
 * after the cursor is no skew: the pull reads them under the new consent.
 */
const NONE = createHash('sha256').update('[]').digest('base64url').slice(0, 8);

/**
 * One exclusion list, sorted as UTF-8 bytes: the serials up to a cursor's are a prefix of it, found by binary
 * search, and each prefix's digest is written once from one running hash. Before, every edge's cursor encoded
 * and compared every exclusion (10,000 customers' cursors under 1,000 exclusions: 4.6 s of the event loop).
 */
interface Marks {
  sorted: Buffer[];
  texts: string[];
  /** digests[k]: the mark of the first k serials; filled in order. */
  digests: string[];
  running: Hash;
}

const marksOf = new WeakMap<readonly string[], Marks>();

function marks(exclusions: readonly string[]): Marks {
  let m = marksOf.get(exclusions);
  if (m === undefined) {
    const pairs = exclusions.map((serial) => ({ serial, bytes: Buffer.from(serial) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    m = { sorted: pairs.map((p) => p.bytes), texts: pairs.map((p) => p.serial), digests: [NONE], running: createHash('sha256').update('[') };
    marksOf.set(exclusions, m);
  }
  return m;
}

/** The digest of JSON.stringify(texts.slice(0, k)), the prefixes before k written once. */
function prefixDigest(m: Marks, k: number): string {
  for (let j = m.digests.length; j <= k; j += 1) {
    m.running.update(`${j > 1 ? ',' : ''}${JSON.stringify(m.texts[j - 1])}`);
    m.digests.push(m.running.copy().update(']').digest('base64url').slice(0, 8));
  }
  return m.digests[k];
}

/** How many of `sorted` are at or before `last` (UTF-8 byte order). */
function countUpTo(sorted: readonly Buffer[], last: Buffer): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(sorted[mid], last) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The mark of a cursor at `position` under `exclusions` (its version's hidden serials). With the version's `key`
 * (VersionManifest.cursorKey) it is a MAC of that digest and the position: a client that writes a cursor itself
 * (its checksum is no secret) cannot write a mark that passes, so the answers to cursors at positions of its choosing
 * no longer tell which serials consent hides (a few hundred of them spelled out each hidden serial, one by one).
 */
export function consentMark(exclusions: readonly string[], position: readonly KeyValue[], key?: string): string {
  let digest = NONE;
  if (exclusions.length > 0) {
    const m = marks(exclusions);
    digest = prefixDigest(m, countUpTo(m.sorted, Buffer.from(String(position[0]))));
  }
  if (key === undefined) return digest;
  return createHmac('sha256', key).update(`${digest}\u0000${JSON.stringify(position)}`).digest('base64url').slice(0, 8);
}

/** The mark a cursor carries; one without, under a keyed version, was never issued and matches none. */
const markOf = (cursor: Cursor, key: string | undefined): string => cursor.consent ?? (key === undefined ? NONE : '');

/** The list a page is marked with while the registry has no list of its version (its refresh failed): every hidden serial. */
const everyHiddenOf = new WeakMap<ReadonlySet<string>, readonly string[]>();
export function everyHidden(hiddenSerials: ReadonlySet<string>): readonly string[] {
  let list = everyHiddenOf.get(hiddenSerials);
  if (list === undefined) everyHiddenOf.set(hiddenSerials, (list = [...hiddenSerials]));
  return list;
}

/**
 * STALE_CURSOR when the cursor was issued under another hidden set, among the customers already read, than `exclusions`.
 * `fallback` (every hidden serial, given only while it holds `exclusions`) is what a page is marked with while a worker
 * has no list of its version: those unchanged up to the cursor, the pages read then hid everyone hidden now.
 */
export function checkConsentMark(cursor: Cursor | undefined, exclusions: readonly string[], field: string, fallback?: () => readonly string[] | undefined, key?: string): void {
  // A cursor without a mark (forged, or from a release before marks) counts as issued while nobody was hidden, unless its version is keyed.
  if (cursor === undefined) return;
  const mark = markOf(cursor, key);
  if (mark === consentMark(exclusions, cursor.position, key)) return;
  const every = fallback?.();
  if (every !== undefined && mark === consentMark(every, cursor.position, key)) return;
  throw new StediError(
    ErrorCode.STALE_CURSOR,
    `consent changed since this pull of ${field} began (a customer whose rows the earlier pages may hold withdrew or gave consent for research in lake version ${cursor.version}): ` +
      'those pages may hold rows that must no longer be used, or miss rows now shown; discard them and start again from the first page',
    STALE_REASONS.consentChanged,
  );
}

/**
 * The check of a cursor of a kept, readable version this worker has no exclusion list of (its customers could not be
 * read, or its refresh for the version failed). Its pages are filtered, and marked, by every hidden serial (`marked`):
 * a cursor bearing that mark goes on. Any other was marked under the version's own list, which cannot be compared
 * here: going on unchecked kept a withdrawn customer's rows in the pages already read, unsaid. Nor is a version
 * answered that hides customers no other version does (built under `any`, the lake `as-of`): only its list names them.
 * Both are CONSENT_UNAVAILABLE: the same page asked again once the list is read is answered (or refused as stale).
 */
export function checkUnlistedMark(cursor: Cursor, marked: readonly string[], field: string, hidesMore: boolean, key?: string): void {
  if (!hidesMore && markOf(cursor, key) === consentMark(marked, cursor.position, key)) return;
  throw new StediError(
    ErrorCode.CONSENT_UNAVAILABLE,
    `this server cannot check yet whether consent changed for the customers the earlier pages of ${field} read (it has not read which customers lake version ${cursor.version} holds): ` +
      'send this page again in a few seconds with the same cursor; nothing read so far is lost',
  );
}

import { createHash } from 'node:crypto';
import { MAX_SERIAL_BYTES } from '../../etl/tables';
import { isVersionId } from '../../etl/version';
import { badInput, ErrorCode, StediError } from '../errors';
import { consentMark } from './consent-mark';
import { intact, sealed } from './cursor-checksum';
import { STALE_REASONS } from './stale-reasons';

/**
 * Opaque page cursors: base64url JSON of which kind of node they point into,
 * the lake version the paging started on, the keyset position of the last
 * row (serialNumber first, never a personal field) and the arguments of the
 * page they came from (field, parent, filter, split, seed — as short
 * digests), so a cursor used with other arguments is refused instead of
 * silently skipping rows. Position values are strings or finite numbers;
 * JSON round-trips doubles exactly. A checksum ends the JSON
 * (cursor-checksum.ts), so a damaged cursor is refused as damaged.
 */
export type CursorKind = 'Customer' | 'AccelerometerReading' | 'StepTrainerReading' | 'MachineLearningSample';
const CURSOR_KIND_NAMES: ReadonlySet<CursorKind> = new Set(['Customer', 'AccelerometerReading', 'StepTrainerReading', 'MachineLearningSample']);
export type KeyValue = string | number;
/** `integer` keys are epoch milliseconds: safe integers only. */
export type KeyType = 'string' | 'integer' | 'number';

/** What a page was read with; a cursor is only good for the same. */
export interface CursorScope {
  /** `customers`, or `Customer.stepTrainerReadings` for a nested field. */
  field: string;
  /** The parent customer's serialNumber of a nested field. */
  parent?: string;
  /** serialNumber, from and to of the filter. */
  filter: readonly unknown[];
  split?: string | null;
  splitSeed?: string | null;
  /** The percentages (STEDI_SPLIT) a split's page was read with: under others, customers fall in other splits. */
  splitPercentages?: readonly number[];
  /** A top-level field's consent exclusions in the page's version: its cursors carry their mark (consent-mark.ts). */
  hidden?: readonly string[];
  /** The page's version's cursorKey, which keys that mark; absent for versions built before keys. */
  markKey?: string;
}

export interface Cursor {
  kind: CursorKind;
  version: string;
  position: KeyValue[];
  /** The consent mark of the page that issued it; undefined when it carries none. */
  consent?: string;
}

interface Encoded {
  k: CursorKind;
  v: string;
  p: KeyValue[];
  /** field, parent, filter, split and seed digests, in that order; then, for a split's page, its percentages'. */
  a: string[];
  /** The consent mark of a top-level field's page. */
  c?: string;
  /** The checksum of the rest (absent from a release before checksums). */
  s?: string;
}

const MAX_CURSOR_LENGTH = 2_000;
const DAMAGED = 'is damaged or is not a cursor this API issued (cut short, or a character changed in copying)';
/** The shape of consentMark's digest. */
const CONSENT_MARK = /^[A-Za-z0-9_-]{8}$/;

const hashed = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 8);
// Private: the same few arguments come request after request (a field name, a customer's serial, no filter): digest each text once.
const DIGESTS_KEPT = 4_096;
const digests = new Map<string, string>();
const digest = (value: unknown): string => {
  const text = JSON.stringify(value ?? null);
  let known = digests.get(text);
  if (known === undefined && text.length <= 256) {
    if (digests.size >= DIGESTS_KEPT) digests.delete(digests.keys().next().value as string);
    digests.set(text, (known = hashed(text)));
  }
  return known ?? hashed(text);
};
// Private: a page's edges share one scope object; hash its arguments once per page, not once per edge.
const digestsOf = new WeakMap<CursorScope, string[]>();
const scopeDigests = (s: CursorScope): string[] => {
  let digests = digestsOf.get(s);
  if (!digests) {
    digests = [digest(s.field), digest(s.parent), digest(s.filter), digest(s.split), digest(s.split ? s.splitSeed : null)];
    // Only a split's page: cursors of every other page keep the five digests they had before.
    if (s.split) digests.push(digest(s.splitPercentages ?? null));
    digestsOf.set(s, digests);
  }
  return digests;
};
const ARGUMENTS = ['field', 'customer', 'filter', 'split', 'splitSeed'] as const;

export function encodeCursor(kind: CursorKind, version: string, position: readonly KeyValue[], scope: CursorScope): string {
  const encoded: Encoded = { k: kind, v: version, p: position as KeyValue[], a: scopeDigests(scope), c: scope.hidden && consentMark(scope.hidden, position, scope.markKey) };
  return Buffer.from(sealed(JSON.stringify(encoded))).toString('base64url');
}

const fits = (value: unknown, type: KeyType): boolean => {
  // The only string key is a serialNumber, which the landing rules keep within MAX_SERIAL_BYTES.
  if (type === 'string') return typeof value === 'string' && Buffer.byteLength(value) <= MAX_SERIAL_BYTES;
  if (type === 'integer') return Number.isSafeInteger(value);
  // Any finite double: landing accepts any as x, y or z, so a page may end on 1e16 or 1.7e308 (the engines bind them as DOUBLE).
  return typeof value === 'number' && Number.isFinite(value);
};

/**
 * The cursor of `scope.field`, checked against the kind, key shape and
 * arguments expected there; anything else is BAD_USER_INPUT saying what differs,
 * named for `askedOn`, the field the caller passed it to (machineLearningBatch
 * takes machineLearningSamples' cursors).
 */
export function decodeCursor(given: string, kind: CursorKind, keyTypes: readonly KeyType[], scope: CursorScope, askedOn = scope.field): Cursor {
  const field = askedOn;
  // A cursor copied out of an answer or a notebook cell often brings a line end or spaces with it; none is in a cursor.
  // Decoded and encoded again by a client's base64 (`+` and `/`, `=` padding), it is the same bytes: read as such.
  const text = given.trim().replace(/={1,2}$/, '');
  const invalid = (why: string) =>
    badInput(`the \`after\` cursor of ${field} ${why}; pass the endCursor (or an edge cursor) of a previous page of ${field} unchanged, with the same arguments, or omit \`after\` to start from the first page`);
  const damaged = () => invalid(DAMAGED);
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_+/-]+$/.test(text)) throw damaged();
  let parsed: Partial<Encoded>;
  // Node's base64 decoder reads both alphabets.
  const json = Buffer.from(text, 'base64').toString('utf8');
  try {
    parsed = JSON.parse(json) as Partial<Encoded>;
  } catch {
    throw damaged();
  }
  // Checked first: a damaged cursor's version, mark or argument digest would be refused as another's (STALE_CURSOR, consent changed, another split).
  if (parsed && typeof parsed === 'object' && Object.hasOwn(parsed, 's') && !intact(json)) throw damaged();
  if (!parsed || typeof parsed !== 'object' || typeof parsed.v !== 'string' || !isVersionId(parsed.v) || !Array.isArray(parsed.p) || !Array.isArray(parsed.a)) {
    throw damaged();
  }
  // A mark is absent (a nested field's, a release before marks) or one digest; any other was never issued here (one
  // of another type, or 1,000 characters, had passed: the first as no mark, the second as a change of consent).
  if (parsed.c !== undefined && (typeof parsed.c !== 'string' || !CONSENT_MARK.test(parsed.c))) throw damaged();
  // Its own kind is named only when it is one of ours: a forged cursor's text is never echoed back.
  const issuedFor = CURSOR_KIND_NAMES.has(parsed.k as CursorKind) ? ` (it points into ${String(parsed.k)} rows, not ${kind} rows)` : '';
  if (parsed.k !== kind) throw invalid(`was issued by another field${issuedFor}`);
  const expected = scopeDigests(scope);
  const differs = ARGUMENTS.find((_name, i) => parsed.a![i] !== expected[i]);
  if (differs === 'field') throw invalid('was issued by another field');
  if (differs === 'customer') throw invalid('belongs to another customer');
  if (differs) throw invalid(`was issued with another \`${differs}\` argument`);
  if (expected.length > ARGUMENTS.length && parsed.a[ARGUMENTS.length] !== expected[ARGUMENTS.length]) {
    throw new StediError(
      ErrorCode.STALE_CURSOR,
      `the split percentages (STEDI_SPLIT) changed since this pull of ${field} began, so customers now fall in other splits than in the pages already read: discard those pages and pull again from the first page (omit \`after\`)`,
      STALE_REASONS.splitChanged,
    );
  }
  const p = parsed.p;
  if (p.length !== keyTypes.length || !p.every((value, i) => fits(value, keyTypes[i]))) throw damaged();
  return { kind, version: parsed.v, position: p, consent: parsed.c };
}

import { isVersionId } from '../../etl/version';
import { badInput } from '../errors';

/**
 * Opaque page cursors: base64url JSON of which kind of node they point into,
 * the lake version the paging started on and the keyset position of the last
 * row (serialNumber first, never a personal field). Position values are
 * strings or finite numbers; JSON round-trips doubles exactly.
 */
export type CursorKind = 'Customer' | 'AccelerometerReading' | 'StepTrainerReading' | 'MachineLearningSample';
export type KeyValue = string | number;

export interface Cursor {
  kind: CursorKind;
  version: string;
  position: KeyValue[];
}

interface Encoded {
  k: CursorKind;
  v: string;
  p: KeyValue[];
}

const MAX_CURSOR_LENGTH = 2_000;

export function encodeCursor(kind: CursorKind, version: string, position: readonly KeyValue[]): string {
  const encoded: Encoded = { k: kind, v: version, p: position as KeyValue[] };
  return Buffer.from(JSON.stringify(encoded)).toString('base64url');
}

/**
 * The cursor of `field`, checked against the kind and key shape expected
 * there; anything else is BAD_USER_INPUT.
 */
export function decodeCursor(text: string, kind: CursorKind, keyTypes: readonly ('string' | 'number')[], field: string): Cursor {
  const invalid = (why: string) =>
    badInput(`the \`after\` cursor of ${field} ${why}; pass the endCursor (or an edge cursor) of a previous page of ${field} unchanged, or omit \`after\` to start from the first page`);
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) throw invalid('is not a cursor this API issued');
  let parsed: Partial<Encoded>;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Encoded>;
  } catch {
    throw invalid('is not a cursor this API issued');
  }
  if (!parsed || typeof parsed !== 'object' || typeof parsed.v !== 'string' || !isVersionId(parsed.v) || !Array.isArray(parsed.p)) {
    throw invalid('is not a cursor this API issued');
  }
  if (parsed.k !== kind) throw invalid(`was issued by another field (it points into ${String(parsed.k)} rows, not ${kind} rows)`);
  const p = parsed.p;
  const shapeOk = p.length === keyTypes.length && p.every((value, i) => (keyTypes[i] === 'string' ? typeof value === 'string' : typeof value === 'number' && Number.isFinite(value)));
  if (!shapeOk) throw invalid('is not a cursor this API issued');
  return { kind, version: parsed.v, position: p };
}

import { sealed } from '../../src/graphql/cursor-checksum';

/** The JSON object of an issued cursor (base64url JSON), without its checksum. */
export function cursorFields(cursor: string): Record<string, unknown> {
  const { s: _checksum, ...fields } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  return fields;
}

/**
 * A cursor a client wrote itself: an issued one's fields with `changes`, its checksum made again (it is no secret),
 * so the API's later checks (version, key shape, mark, arguments) are what refuse it, not the checksum.
 */
export function forgedCursor(issued: string | Record<string, unknown>, changes: Record<string, unknown> = {}): string {
  const fields = typeof issued === 'string' ? cursorFields(issued) : issued;
  return Buffer.from(sealed(JSON.stringify({ ...fields, ...changes }))).toString('base64url');
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LakeManifest } from '../../etl/manifest';
import { sealed } from '../../src/graphql/cursor-checksum';
import { consentMark } from '../../src/graphql/consent-mark';

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

/**
 * An issued top-level cursor moved to `version` of the embedded lake at `lake`, its consent mark written as the server
 * writes it there (keyed by that version's cursorKey, read from the manifest) for `exclusions`, whom it hides.
 */
export function cursorOfVersion(issued: string, lake: string, version: string, exclusions: readonly string[] = []): string {
  const manifest = JSON.parse(readFileSync(join(lake, '_stedi', 'manifest.json'), 'utf8')) as LakeManifest;
  const key = manifest.versions.find((v) => v.version === version)?.cursorKey;
  return forgedCursor(issued, { v: version, c: consentMark(exclusions, cursorFields(issued).p as [], key) });
}

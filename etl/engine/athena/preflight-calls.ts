import { SOURCES } from '../../tables';
import type { ResolvedAthenaOptions } from './athena-options';
import { LIVE_VIEWS } from './object-names';
import type { AthenaLayout } from './s3-location';

/** The metadata calls the Athena preflight (preflight.ts) makes, each with what it checks: what `--dry-run` prints before any is made. */

export interface PreflightCall {
  service: 'athena' | 'glue' | 's3';
  action: string;
  resource: string;
  checks: string;
}

/** The calls the checks make, in order (what `--dry-run` prints). */
export function preflightCalls(options: ResolvedAthenaOptions, layout: AthenaLayout): PreflightCall[] {
  return [
    { service: 'athena', action: 'GetWorkGroup', resource: options.workgroup, checks: 'the workgroup exists and is enabled, has a results location (or STEDI_ATHENA_OUTPUT is set), and does not override client-side settings' },
    { service: 'glue', action: 'GetTables', resource: options.database, checks: `no table (only views) named ${LIVE_VIEWS.join(', ')}` },
    ...SOURCES.map((source) => ({ service: 's3' as const, action: 'ListObjectsV2', resource: layout.landingPrefix(source), checks: 'the landing prefix holds landing files, and nothing Athena would read differently from the embedded engine' })),
    { service: 's3', action: 'PutObject (If-None-Match: *)', resource: layout.lockUrl, checks: "the lake prefix is writable: the build's lock" },
    { service: 's3', action: 'DeleteObject (If-Match: an ETag no object has)', resource: `${layout.lockUrl}.if-match-check`, checks: 'the store deletes an object only while its ETag matches, as giving the lock back needs' },
  ];
}

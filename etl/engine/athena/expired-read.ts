import type { LakeManifest } from '../../manifest';
import { StaleVersionError } from '../engine-errors';
import { AthenaQueryError } from './athena-errors';
import { versionOfObject } from './object-names';
import { tokenize } from './sql-text';

/**
 * A read that failed because its version expired under it. Another process's
 * build (the builder on another machine, another API worker's rebuild) drops
 * an expired version's tables and deletes its files while this server, its
 * manifest cached, may still read it: Athena then fails the query
 * (TABLE_NOT_FOUND, a split it cannot open). Like the embedded engine, the
 * caller hears that the version is no longer kept, not an internal error.
 */

/** The versions whose objects (`"db"."<table>__<version>"`) `sql` names, in first-use order. */
export function versionsNamed(sql: string): string[] {
  const versions: string[] = [];
  for (const token of tokenize(sql)) {
    if (token.kind !== 'word' && token.kind !== 'quoted') continue;
    const version = versionOfObject(token.value);
    if (version && !versions.includes(version)) versions.push(version);
  }
  return versions;
}

/**
 * `error` as the caller should hear it: a StaleVersionError when Athena failed
 * a query naming a version that `freshManifest` (read again, not cached) no
 * longer keeps; otherwise `error` itself.
 */
export async function explainFailedRead(error: unknown, sql: string, freshManifest: () => Promise<LakeManifest | null>): Promise<unknown> {
  if (!(error instanceof AthenaQueryError) || error.state !== 'FAILED') return error;
  const named = versionsNamed(sql);
  if (named.length === 0) return error;
  const manifest = await freshManifest().catch(() => null);
  if (!manifest) return error;
  const gone = named.find((version) => !manifest.versions.some((v) => v.version === version));
  return gone ? new StaleVersionError(gone) : error;
}

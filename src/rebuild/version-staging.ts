import { liveVersion, type VersionManifest } from '../../etl/manifest';
import type { CachedRead } from '../graphql/version-read-cache';
import type { Services } from '../services';

/**
 * A version a rebuild is about to publish, made ready in every server process
 * before the manifest names it (the publish stays the one moment all switch).
 */

/** The live version's most recent reads each server process offers to be read again on a new version. */
export const WARMED_READS = 8;

type Staging = Pick<Services, 'engine' | 'consent' | 'reads'>;

const liveOf = async (engine: Staging['engine']): Promise<string | undefined> => {
  const manifest = await engine.manifest();
  return manifest ? liveVersion(manifest)?.version : undefined;
};

/**
 * Loads `version` (files checked, views, customers in memory) and gives it its
 * consent exclusions; returns this process's most recent reads of the live
 * version, for `warmVersion` here and in every other worker of a cluster.
 */
export async function stageVersion({ engine, consent, reads }: Staging, version: VersionManifest): Promise<CachedRead[]> {
  // An engine without a load of its own (Athena) reads a version where it is stored: nothing to stage.
  if (!engine.stageVersion) return [];
  await engine.stageVersion(version);
  await consent.stage(version);
  const live = await liveOf(engine);
  return live ? reads.recentReads(live, WARMED_READS) : [];
}

/**
 * Reads `recent` (reads of the live version, from any worker) again on `version`, so the first
 * requests after the switch find their answers, whichever worker they reach. Only when both
 * versions have the same consent exclusions: they are bound values, so with other ones no
 * request on the new version would ask for these keys.
 */
export async function warmVersion({ engine, consent, reads }: Staging, version: string, recent: readonly CachedRead[]): Promise<number> {
  if (!engine.stageVersion || recent.length === 0) return 0;
  const live = await liveOf(engine);
  const snapshot = consent.peek();
  if (!live || !snapshot || !snapshot.covers(version)) return 0;
  const [was, will] = [snapshot.exclusionsFor(live), snapshot.exclusionsFor(version)];
  if (was.length !== will.length || was.some((serial, i) => serial !== will[i])) return 0;
  return reads.warm(live, version, recent);
}

/** Both steps in one process (a server without workers): stage, then read its own recent reads again. */
export async function prepareVersion(services: Staging, version: VersionManifest): Promise<void> {
  await warmVersion(services, version.version, await stageVersion(services, version));
}

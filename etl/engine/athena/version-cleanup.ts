import type { VersionManifest } from '../../manifest';
import { BUILT_TABLES } from '../../tables';
import { isVersionId } from '../../version';
import type { AthenaBuildContext } from './athena-build-context';
import { type CatalogObject, versionObjects } from './object-names';
import type { LakeStore } from './s3-lake';
import { type AthenaLayout, parseS3Url } from './s3-location';
import { dropTable, dropView } from './statements';

/**
 * Removing a version from the lake: its Glue objects (by name, `IF EXISTS`,
 * so a half-built version is removed as well as a whole one) and its S3
 * prefixes, each its own `v=<version>/` folder and nothing beside it.
 */
export class VersionCleanup {
  constructor(private readonly ctx: Pick<AthenaBuildContext, 'database' | 'layout' | 'runner' | 'lake'>) {}

  /** Every S3 prefix a build of `version` writes to. */
  prefixesOf(version: string): string[] {
    return [...BUILT_TABLES.map((t) => this.ctx.layout.versionPrefix(t, version)), this.ctx.layout.quarantinePrefix(version)];
  }

  /** Marks `version` as being built (its marker goes once it is published or removed) and checks its prefixes are empty. */
  async startVersion(version: string): Promise<void> {
    await this.ctx.lake.putText(`${this.ctx.layout.buildMarkerPrefix(version)}started`, new Date().toISOString());
    for (const prefix of this.prefixesOf(version)) {
      if (!(await this.ctx.lake.isEmpty(prefix))) {
        throw new Error(`the new version's location ${prefix} is not empty, and Athena writes a table only into an empty location; remove what is there`);
      }
    }
  }

  drop(object: CatalogObject): Promise<void> {
    const { database, runner } = this.ctx;
    return runner.execute(object.kind === 'view' ? dropView(database, object.name) : dropTable(database, object.name));
  }

  async removeVersion(version: string): Promise<void> {
    for (const object of versionObjects(version, BUILT_TABLES)) await this.drop(object);
    for (const prefix of this.prefixesOf(version)) await this.ctx.lake.deletePrefix(prefix);
  }

  /**
   * Versions with a build marker or data in this lake but in no manifest were
   * left by a killed build: remove them. Only this lake's prefixes are looked
   * at, never the whole Glue database, which another lake may share. Returns the versions it removed.
   */
  async removeLeftovers(keep: ReadonlySet<string>, manifestFound: boolean): Promise<string[]> {
    const { layout, lake } = this.ctx;
    const { marked, found } = await versionsOnS3(layout, lake);
    // A build removes its marker only once its manifest is written: data without one was published, so a missing manifest was lost, not never written.
    const published = publishedLeftovers({ marked, found }, keep);
    if (!manifestFound && published.length > 0) {
      const { bucket, key } = parseS3Url(layout.manifestUrl);
      throw new Error(
        `the lake's manifest ${layout.manifestUrl} is missing, but versions a build published are there (${published.join(', ')}): restore the manifest from a copy (with versioning on the bucket: aws s3api list-object-versions --bucket ${bucket} --prefix ${key}), or delete those versions' v=<version>/ prefixes to start the lake over; a build would remove them`,
      );
    }
    const left = [...found].filter((v) => isVersionId(v) && !keep.has(v)).sort();
    for (const version of left) {
      await this.removeVersion(version);
      await lake.deletePrefix(layout.buildMarkerPrefix(version));
    }
    return left;
  }
}

/** The versions with a build marker (`marked`: being built, or a killed build's) and every version with a marker or data. */
export async function versionsOnS3(layout: AthenaLayout, lake: Pick<LakeStore, 'versionFolders'>): Promise<{ marked: Set<string>; found: Set<string> }> {
  const marked = new Set(await lake.versionFolders(layout.buildsRoot()));
  const found = new Set<string>(marked);
  for (const root of [...BUILT_TABLES.map((t) => layout.tableRoot(t)), layout.quarantineRoot()]) for (const version of await lake.versionFolders(root)) found.add(version);
  return { marked, found };
}

/** Versions a build published (their marker is gone) whose data is still there though `keep` does not name them: expired, not yet removed. */
export function publishedLeftovers(on: { marked: ReadonlySet<string>; found: ReadonlySet<string> }, keep: ReadonlySet<string>): string[] {
  return [...on.found].filter((v) => isVersionId(v) && !on.marked.has(v) && !keep.has(v)).sort();
}

/** How long a build that published may take to remove what it expired and give its lock back (a few DDL statements and deletes). */
export const PUBLISHED_CLEANUP_MS = 15 * 60_000;

/**
 * Whether the lock's `owner` is the build of the live version that published over PUBLISHED_CLEANUP_MS ago: it died
 * before removing what it expired (a killed build's lock stays on S3), so no build is removing those versions.
 */
export function diedAfterPublishing(owner: string, live: Pick<VersionManifest, 'version' | 'builtAt'> | undefined, now = Date.now()): boolean {
  if (!live || owner !== `build ${live.version}`) return false;
  const builtAt = Date.parse(live.builtAt);
  return Number.isFinite(builtAt) && now - builtAt > PUBLISHED_CLEANUP_MS;
}

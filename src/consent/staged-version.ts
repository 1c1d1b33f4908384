import type { VersionManifest } from '../../etl/manifest';

/** How long a staged version is listed without being published (a build that failed after staging). */
const STAGED_MS = 10 * 60_000;

/**
 * The version a rebuild is about to publish, given its exclusion list before the manifest names it. Forgotten once
 * kept, or after STAGED_MS if it never is (its build failed).
 */
export class StagedVersion {
  private staged?: { version: VersionManifest; at: number };

  stage(version: VersionManifest): void {
    this.staged = { version, at: performance.now() };
  }

  /** The versions to list: `kept`, then the staged one while it is neither kept nor forgotten (its held customers are hidden, but count as pending erasure only once kept). */
  listedWith(kept: readonly VersionManifest[]): { listed: readonly VersionManifest[]; staged?: VersionManifest } {
    const staged = this.staged;
    if (staged && (kept.some((v) => v.version === staged.version.version) || performance.now() - staged.at > STAGED_MS)) this.staged = undefined;
    const version = this.staged?.version;
    return version ? { listed: [...kept, version], staged: version } : { listed: kept };
  }
}

import { type LakeManifest, liveVersion, type VersionManifest } from '../../manifest';
import { LakeDamagedError, StaleVersionError } from '../engine-errors';
import type { VersionLoader } from './version-loader';

/**
 * The versions the engine serves: those the manifest keeps, and the one a rebuild staged. One that cannot be
 * read is damaged: its cursors are stale, and if it is the live one the lake says so (LAKE_DAMAGED).
 */
export class ServedVersions {
  /** The version a rebuild is about to publish (stageVersion). */
  private stagedVersion?: VersionManifest;

  constructor(
    private readonly versions: VersionLoader,
    private readonly manifest: () => Promise<LakeManifest | null>,
  ) {}

  get staged(): VersionManifest | undefined {
    return this.stagedVersion;
  }

  stage(version: VersionManifest): void {
    this.stagedVersion = version;
  }

  /** The kept version `version` (or `orStaged`, the staged one) and whether it is live; StaleVersionError when it is neither. */
  async kept(version: string, { orStaged = false } = {}): Promise<{ kept: VersionManifest; live: boolean }> {
    const manifest = await this.manifest();
    const kept = manifest?.versions.find((v) => v.version === version) ?? (orStaged && this.stagedVersion?.version === version ? this.stagedVersion : undefined);
    if (!kept) throw new StaleVersionError(version);
    return { kept, live: manifest !== null && liveVersion(manifest) === kept };
  }

  /** kept(), once a damaged version whose damaged file changed since is checked afresh (version-damage.ts). */
  async rechecked(version: string, options: { orStaged?: boolean } = {}): Promise<{ kept: VersionManifest; live: boolean }> {
    const found = await this.kept(version, options);
    await this.versions.recheck(found.kept);
    return found;
  }

  throwIfDamaged(version: string, live: boolean): void {
    const damage = this.versions.damageOf(version);
    if (damage !== undefined) throw live ? new LakeDamagedError(version, damage) : new StaleVersionError(version, damage);
  }

  /**
   * A version that expired between tableRef and the query (its schema dropped,
   * or its files removed by another process's publish): the reader's cursor is stale, not the server broken.
   * Called after the query's connection is back in the pool: reading the manifest may drop schemas, which needs a connection.
   */
  async dropped(error: unknown): Promise<never> {
    const message = (error as Error)?.message ?? '';
    const fileError = /IO Error|Invalid Input|parquet|No files found/i.test(message);
    const version = (/Catalog Error: .*"?v_(\d{8}t\d{9}z_[0-9a-f]{4})"?/.exec(message) ?? (fileError ? /(\d{8}t\d{9}z_[0-9a-f]{4})/.exec(message) : null))?.[1];
    if (version === undefined) throw error;
    if (this.versions.has(version)) await this.manifest().catch(() => undefined);
    if (!this.versions.has(version)) throw new StaleVersionError(version);
    // Still kept, but its files changed under the views since they were checked: damaged, said as at load.
    const { kept, live } = await this.kept(version);
    const damage = await this.versions.verify(kept);
    if (damage) throw live ? new LakeDamagedError(version, damage) : new StaleVersionError(version, damage);
    throw error;
  }
}

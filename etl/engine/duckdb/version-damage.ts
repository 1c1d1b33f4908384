import type { VersionManifest } from '../../manifest';
import { BUILT_TABLES, type BuiltTable } from '../../tables';
import { fileDamage, fileIdentity, forgetHashes } from './file-checks';

/**
 * The kept versions found damaged, each with why and with the file found damaged as it was then (its identity):
 * a version stays damaged until that file changes (put back from a copy, say); then every file is checked anew,
 * and a version whose files all pass is no longer damaged.
 */
export class VersionDamage {
  private readonly damaged = new Map<string, string>();
  // Private: for each damaged version, the file found damaged and its identity then (fileIdentity).
  private readonly damagedBy = new Map<string, { file: string; identity: string }>();
  // Private: checks of damaged versions whose damaged file changed, one at a time per version.
  private readonly rechecks = new Map<string, Promise<void>>();

  constructor(private readonly fileOf: (version: VersionManifest, table: BuiltTable) => string) {}

  /** Why `version` is damaged, or undefined when it is not known to be. */
  of(version: string): string | undefined {
    return this.damaged.get(version);
  }

  /** Why `table`'s file of `version` is not what the manifest recorded (and the version damaged), or null. */
  async check(version: VersionManifest, table: BuiltTable): Promise<string | null> {
    const file = this.fileOf(version, table);
    const identity = await fileIdentity(file);
    const damage = await fileDamage(file, version.tables[table].location, version.tables[table]);
    if (damage) this.mark(version.version, damage, file, identity);
    return damage;
  }

  /**
   * A damaged version is checked again once the file found damaged is no longer the file it was then
   * (restored, replaced, removed): every file afresh, and when all pass it is no longer damaged.
   */
  async recheck(version: VersionManifest): Promise<void> {
    const by = this.damagedBy.get(version.version);
    if (!by || (await fileIdentity(by.file)) === by.identity) return;
    let checking = this.rechecks.get(version.version);
    if (!checking) {
      checking = this.checkAfresh(version).finally(() => this.rechecks.delete(version.version));
      this.rechecks.set(version.version, checking);
    }
    await checking;
  }

  /** Records `version` as damaged by `file`, as `identity` (fileIdentity) shows it. */
  mark(version: string, damage: string, file: string, identity: string): void {
    this.damaged.set(version, damage);
    this.damagedBy.set(version, { file, identity });
  }

  /** Forgets every version not in `kept`. */
  retain(kept: ReadonlySet<string>): void {
    for (const version of this.damaged.keys()) if (!kept.has(version)) this.damaged.delete(version);
    for (const version of this.damagedBy.keys()) if (!kept.has(version)) this.damagedBy.delete(version);
  }

  private async checkAfresh(version: VersionManifest): Promise<void> {
    for (const table of BUILT_TABLES) forgetHashes(this.fileOf(version, table));
    // check() records any damage found, with the identity of the file it was found in.
    for (const table of BUILT_TABLES) if (await this.check(version, table)) return;
    this.damaged.delete(version.version);
    this.damagedBy.delete(version.version);
  }
}

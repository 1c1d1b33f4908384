import type { VersionManifest } from '../../manifest';
import { BUILT_TABLES, type BuiltTable } from '../../tables';
import { READ_ACCESS_FIX } from '../engine-errors';
import { fileDamage, fileIdentity, forgetHashes } from './file-checks';

/** A file found damaged, as it was then (fileIdentity). */
interface DamagedFile {
  damage: string;
  file: string;
  identity: string;
}

/**
 * Why several files of a version are damaged, in one text: naming only the first sent the operator who fixed it
 * back to `stedi status` to find the next. Each is named (at most one per built table, five). A file only permissions
 * keep from being read goes first: the text ends with that fix, and no "run `stedi build`" (afterDamage), only when
 * nothing else is wrong.
 */
export function describeDamage(damages: readonly string[]): string {
  const ordered = [...damages].sort((a, b) => Number(b.endsWith(READ_ACCESS_FIX)) - Number(a.endsWith(READ_ACCESS_FIX)));
  return ordered.length === 1 ? ordered[0] : `${ordered.length} files are damaged: ${ordered.join('; also ')}`;
}

/**
 * The kept versions found damaged, each with why and with the files found damaged as they were then (identities):
 * a version stays damaged until one of those files changes (put back from a copy, say); then every file is checked anew,
 * and a version whose files all pass is no longer damaged.
 */
export class VersionDamage {
  private readonly damaged = new Map<string, string>();
  // Private: for each damaged version, the files found damaged and their identities then (fileIdentity).
  private readonly damagedBy = new Map<string, ReadonlyArray<{ file: string; identity: string }>>();
  // Private: checks of damaged versions whose damaged file changed, one at a time per version.
  private readonly rechecks = new Map<string, Promise<void>>();

  constructor(private readonly fileOf: (version: VersionManifest, table: BuiltTable) => string) {}

  /** Why `version` is damaged, or undefined when it is not known to be. */
  of(version: string): string | undefined {
    return this.damaged.get(version);
  }

  /** Why `table`'s file of `version` is not what the manifest recorded (and the version damaged), or null. */
  async check(version: VersionManifest, table: BuiltTable): Promise<string | null> {
    const found = await this.inspect(version, table);
    if (found) this.mark(version.version, found.damage, found.file, found.identity);
    return found?.damage ?? null;
  }

  /** Every file of `version`: why those damaged are (describeDamage), recorded as the version's damage; or null. */
  async checkAll(version: VersionManifest): Promise<string | null> {
    const found: DamagedFile[] = [];
    for (const table of BUILT_TABLES) {
      const damaged = await this.inspect(version, table);
      if (damaged) found.push(damaged);
    }
    if (found.length === 0) return null;
    const damage = describeDamage(found.map((f) => f.damage));
    this.damaged.set(version.version, damage);
    this.damagedBy.set(version.version, found);
    return damage;
  }

  /**
   * A damaged version is checked again once a file found damaged is no longer the file it was then
   * (restored, replaced, removed): every file afresh, and when all pass it is no longer damaged.
   */
  async recheck(version: VersionManifest): Promise<void> {
    const by = this.damagedBy.get(version.version);
    if (!by || !(await anyChanged(by))) return;
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
    this.damagedBy.set(version, [{ file, identity }]);
  }

  /** Forgets every version not in `kept`. */
  retain(kept: ReadonlySet<string>): void {
    for (const version of this.damaged.keys()) if (!kept.has(version)) this.damaged.delete(version);
    for (const version of this.damagedBy.keys()) if (!kept.has(version)) this.damagedBy.delete(version);
  }

  private async checkAfresh(version: VersionManifest): Promise<void> {
    for (const table of BUILT_TABLES) forgetHashes(this.fileOf(version, table));
    // checkAll() records any damage found, with the identities of the files it was found in.
    if (await this.checkAll(version)) return;
    this.damaged.delete(version.version);
    this.damagedBy.delete(version.version);
  }

  private async inspect(version: VersionManifest, table: BuiltTable): Promise<DamagedFile | null> {
    const file = this.fileOf(version, table);
    const identity = await fileIdentity(file);
    const damage = await fileDamage(file, version.tables[table].location, version.tables[table]);
    return damage ? { damage, file, identity } : null;
  }
}

async function anyChanged(files: ReadonlyArray<{ file: string; identity: string }>): Promise<boolean> {
  for (const { file, identity } of files) if ((await fileIdentity(file)) !== identity) return true;
  return false;
}

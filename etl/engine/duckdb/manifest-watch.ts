import { statSync } from 'node:fs';
import type { LakeManifest, ManifestError } from '../../manifest';
import { absentManifest, manifestCopyOf, manifestReadError, readLocalManifestOrCopy } from './local-manifest';

/**
 * A local lake's manifest as the file is now, read again only when the file
 * changes, with `onChange` told of each new one. A publish renames a new file
 * into place, so the inode changes even where the mtime may not (a filesystem
 * keeping whole seconds, two publishes within one). While the manifest is
 * damaged and its copy is served, the copy's changes count too (stat-ed once per turn, then only).
 */
export class ManifestWatch {
  private cached?: { identity: string; manifest: LakeManifest | null; damage?: ManifestError };
  private statThisTurn?: string;
  private copyThisTurn?: string;
  /** Reads of the file in the order they began, and the latest one taken in: an earlier read that ends later is dropped. */
  private readsBegun = 0;
  private readTakenIn = 0;

  constructor(
    private readonly path: string,
    private readonly onChange: (manifest: LakeManifest | null) => Promise<void>,
    /** Told when the file is damaged and its copy is read instead (once per damaged file). */
    private readonly onDamage?: (damage: ManifestError) => void,
  ) {}

  /** The manifest's damage when the last manifest read is its copy's. */
  get damage(): ManifestError | undefined {
    return this.cached?.damage;
  }

  async read(): Promise<LakeManifest | null> {
    if (this.cached?.identity !== this.servedIdentity()) {
      const identity = this.identity();
      // Stat-ed before the read: a copy changed while it is read is read again next time.
      const copy = identity === '' ? '' : copyIdentity(manifestCopyOf(this.path));
      const read = (this.readsBegun += 1);
      const { manifest, damage } = identity === '' ? { manifest: absentManifest(this.path) } : await readLocalManifestOrCopy(this.path);
      // A read begun later (a second publish) was taken in first: this one may hold the older file, and a request may have answered from the newer.
      if (read < this.readTakenIn) return this.cached!.manifest;
      this.readTakenIn = read;
      if (damage) this.onDamage?.(damage);
      this.cached = { identity: damage ? `${identity}|${copy}` : identity, manifest, damage };
      await this.onChange(manifest);
    }
    return this.cached!.manifest;
  }

  /**
   * What the manifest served now is read from: the file's identity, and the copy's too while the copy is served (a
   * worker that had read the copy kept serving it after it was emptied, while the others answered LAKE_DAMAGED).
   */
  private servedIdentity(): string {
    const identity = this.identity();
    if (identity === '' || !this.cached?.damage) return identity;
    this.copyThisTurn ??= copyIdentity(manifestCopyOf(this.path));
    return `${identity}|${this.copyThisTurn}`;
  }

  /**
   * The file's inode, size and mtime ('' when absent), stat-ed at most once per turn of the event loop:
   * a request asks several times within one turn, and no answer could tell those apart.
   */
  private identity(): string {
    if (this.statThisTurn === undefined) {
      // Synchronous on purpose: a few microseconds here, where an async stat would queue behind queries on libuv's pool.
      let stats;
      try {
        stats = statSync(this.path);
      } catch (error) {
        // Only ENOENT is "no manifest": Node 22+'s throwIfNoEntry also hid ENOTDIR (a file where _stedi should be).
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw manifestReadError(error, this.path);
      }
      this.statThisTurn = stats ? `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}` : '';
      setImmediate(() => {
        this.statThisTurn = undefined;
        this.copyThisTurn = undefined;
      });
    }
    return this.statThisTurn;
  }
}

/** The copy's inode, size and mtime; its error's code when it cannot be stat-ed (the read then says what is wrong). */
function copyIdentity(path: string): string {
  try {
    const stats = statSync(path);
    return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
  } catch (error) {
    return String((error as NodeJS.ErrnoException).code);
  }
}

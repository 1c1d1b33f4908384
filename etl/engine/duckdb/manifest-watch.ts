import { statSync } from 'node:fs';
import type { LakeManifest } from '../../manifest';
import { absentManifest, manifestReadError, readLocalManifest } from './local-manifest';

/**
 * A local lake's manifest as the file is now, read again only when the file
 * changes, with `onChange` told of each new one. A publish renames a new file
 * into place, so the inode changes even where the mtime may not (a filesystem
 * keeping whole seconds, two publishes within one).
 */
export class ManifestWatch {
  private cached?: { identity: string; manifest: LakeManifest | null };
  private statThisTurn?: string;
  /** Reads of the file in the order they began, and the latest one taken in: an earlier read that ends later is dropped. */
  private readsBegun = 0;
  private readTakenIn = 0;

  constructor(
    private readonly path: string,
    private readonly onChange: (manifest: LakeManifest | null) => Promise<void>,
  ) {}

  async read(): Promise<LakeManifest | null> {
    const identity = this.identity();
    if (this.cached?.identity !== identity) {
      const read = (this.readsBegun += 1);
      const manifest = identity === '' ? absentManifest(this.path) : await readLocalManifest(this.path);
      // A read begun later (a second publish) was taken in first: this one may hold the older file, and a request may have answered from the newer.
      if (read < this.readTakenIn) return this.cached!.manifest;
      this.readTakenIn = read;
      this.cached = { identity, manifest };
      await this.onChange(manifest);
    }
    return this.cached!.manifest;
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
      setImmediate(() => (this.statThisTurn = undefined));
    }
    return this.statThisTurn;
  }
}

import { statSync } from 'node:fs';
import type { LakeManifest } from '../../manifest';
import { readLocalManifest } from './local-manifest';

/**
 * A local lake's manifest as the file is now, read again only when its mtime
 * changes (a publish replaces the file), with `onChange` told of each new one.
 */
export class ManifestWatch {
  private cached?: { mtimeMs: number; manifest: LakeManifest | null };
  private statThisTurn?: number;
  /** Reads of the file in the order they began, and the latest one taken in: an earlier read that ends later is dropped. */
  private readsBegun = 0;
  private readTakenIn = 0;

  constructor(
    private readonly path: string,
    private readonly onChange: (manifest: LakeManifest | null) => Promise<void>,
  ) {}

  async read(): Promise<LakeManifest | null> {
    const mtimeMs = this.mtime();
    if (this.cached?.mtimeMs !== mtimeMs) {
      const read = (this.readsBegun += 1);
      const manifest = mtimeMs < 0 ? null : await readLocalManifest(this.path);
      // A read begun later (a second publish) was taken in first: this one may hold the older file, and a request may have answered from the newer.
      if (read < this.readTakenIn) return this.cached!.manifest;
      this.readTakenIn = read;
      this.cached = { mtimeMs, manifest };
      await this.onChange(manifest);
    }
    return this.cached!.manifest;
  }

  /**
   * The file's mtime (-1 when absent), stat-ed at most once per turn of the event loop:
   * a request asks several times within one turn, and no answer could tell those apart.
   */
  private mtime(): number {
    if (this.statThisTurn === undefined) {
      // Synchronous on purpose: a few microseconds here, where an async stat would queue behind queries on libuv's pool.
      this.statThisTurn = statSync(this.path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
      setImmediate(() => (this.statThisTurn = undefined));
    }
    return this.statThisTurn;
  }
}

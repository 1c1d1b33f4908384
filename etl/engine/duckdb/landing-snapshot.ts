import type { BigIntStats } from 'node:fs';
import { LandingChangedError } from '../../landing-changed-error';
import { changeOf, statOrGone } from '../../landing/file-identity';

/**
 * The identity of each landing file of a source as listed (device, inode, size, modification and change
 * times), checked again once the source is read: a file cut short, appended to, rewritten, replaced or
 * removed meanwhile may have been read as half of itself or a mix of two contents. A stat per file, no
 * second read. A change after the read finished is the next build's, as if it came after publishing.
 */
export class LandingSnapshot {
  private constructor(private readonly listed: ReadonlyArray<{ file: string; stats?: BigIntStats }>) {}

  /** Stats `files` now, before any of them is opened; a file already gone reads as removed at the check. */
  static async of(files: readonly string[]): Promise<LandingSnapshot> {
    return new LandingSnapshot(await Promise.all(files.map(async (file) => ({ file, stats: await statOrGone(file) }))));
  }

  /**
   * `read()` of `files`, failing with LandingChangedError when one changed between now and the read's end (also when
   * the read failed because of it: a file removed). `appends`: as for changed().
   */
  static async around<T>(files: readonly string[], read: () => Promise<T>, options: { appends?: boolean } = {}): Promise<T> {
    const listed = await LandingSnapshot.of(files);
    let result: T;
    try {
      result = await read();
    } catch (error) {
      throw (await listed.changed(options).catch(() => undefined)) ?? error;
    }
    const changed = await listed.changed(options);
    if (changed) throw changed;
    return result;
  }

  /**
   * The first listed file (in name order) that is not as it was listed, as the error to fail the build with.
   * `appends`: a file only grown counts as unchanged (see appendsKept in build-landing-loads.ts).
   */
  async changed({ appends = false } = {}): Promise<LandingChangedError | undefined> {
    const changes = await Promise.all(this.listed.map(async ({ file, stats }) => ({ file, change: changeOf(stats, await statOrGone(file)) })));
    const first = changes.find((c) => c.change !== undefined && !(appends && c.change === 'appended to'));
    return first && new LandingChangedError(first.file, first.change!);
  }
}

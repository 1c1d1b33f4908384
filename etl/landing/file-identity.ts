import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { LandingChange } from '../landing-changed-error';

/**
 * A landing file's identity: device, inode, size, modification and change times. A build compares it before and
 * after reading the file (landing-snapshot.ts), and while waiting for a changed file to settle (build-again.ts).
 */

/** The file's identity; undefined when it is gone (ENOENT), any other failure is the caller's. */
export async function statOrGone(file: string): Promise<BigIntStats | undefined> {
  try {
    return await stat(file, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * How the file changed from `before` to `now` (gone either time: removed), undefined when it kept its identity.
 * A change time moves on any write and cannot be set back, so a rewrite of the same size shows.
 */
export function changeOf(before: BigIntStats | undefined, now: BigIntStats | undefined): LandingChange | undefined {
  if (!before || !now) return 'removed';
  if (now.dev !== before.dev || now.ino !== before.ino) return 'replaced';
  if (now.size < before.size) return 'cut short';
  if (now.size > before.size) return 'appended to';
  if (now.mtimeNs !== before.mtimeNs || now.ctimeNs !== before.ctimeNs) return 'changed in place';
  return undefined;
}

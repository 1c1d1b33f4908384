import type { BuildOptions } from '../../build-options';
import { removeBuildRecord, removeVersionFolders } from './build-records';
import { removeExpiringMarks } from './expiring-marks';
import { describeRemovalRefusal } from './fs-errors';
import type { LakeLayout } from './lake-layout';

/**
 * After `version` is published: the versions it expired are removed, then its expiring marks and build record.
 * A removal refused leaves the marks and record, so the next build finishes it, and is said now through `onLeftBehind`.
 */
export async function removeExpired(layout: LakeLayout, version: string, expiring: readonly string[], onLeftBehind?: BuildOptions['onLeftBehind']): Promise<void> {
  const { lake } = layout;
  let refused: unknown;
  for (const old of expiring) await removeVersionFolders(layout, old).catch((error: unknown) => (refused ??= error));
  if (refused !== undefined) {
    // Left to the next build, which reads this build's record; said now, as it may hold customers who withdrew consent.
    const why = describeRemovalRefusal(refused, lake);
    onLeftBehind?.(`expired versions ${expiring.join(', ')} could not all be removed and stay on disk (they may hold customers who withdrew consent) until a build removes them: ${(why as Error).message}`);
    return;
  }
  try {
    await removeExpiringMarks(layout, version);
    await removeBuildRecord(layout, version);
  } catch {
    // Private: left to the next build, which reads this build's record.
  }
}

import type { VersionManifest } from '../../manifest';
import { shellWord } from '../../shell-word';
import { terminalText } from '../../terminal-text';
import type { BuildLockInfo } from '../engine';
import { awsErrorText, awsFix, isServerFault, isUnreachable, unavailableOr } from './aws-error-text';
import { lakeOfLock, type S3BuildLock } from './s3-build-lock';
import { PUBLISHED_CLEANUP_MS, diedAfterPublishing } from './version-cleanup';

/**
 * `stedi status`'s view of the lake's S3 lock. No process can be checked from here: a lock counts as held by a
 * running build unless it names the live version's build, which published long ago (diedAfterPublishing). No build
 * takes an S3 lock over, so the fix either way is to delete it by hand once no build runs.
 */
export async function s3LockHolder(
  lock: Pick<S3BuildLock, 'holder'>,
  lockUrl: string,
  live: Pick<VersionManifest, 'version' | 'builtAt'> | undefined,
  now = Date.now(),
): Promise<BuildLockInfo | null> {
  let holder: { owner: string; since: string } | undefined;
  try {
    holder = await lock.holder();
  } catch (error) {
    if (isServerFault(error) || isUnreachable(error)) throw unavailableOr(error, 'S3', `cannot read the lake's lock ${lockUrl}`);
    throw new Error(`cannot read the lake's lock ${lockUrl} (${awsErrorText(error)}): ${awsFix(error, `grant s3:GetObject on ${lakeOfLock(lockUrl)}/*`)}`);
  }
  if (!holder) return null;
  // Shown on a terminal: a lock edited by hand may hold escape sequences, or a megabyte.
  const [owner, since] = [holder.owner, holder.since].map((text) => terminalText(text.length > 200 ? `${text.slice(0, 200)}…` : text));
  const remove = `aws s3 rm ${shellWord(lockUrl)}`;
  if (live && diedAfterPublishing(owner, live, now)) {
    const minutes = PUBLISHED_CLEANUP_MS / 60_000;
    return {
      owner,
      since,
      running: false,
      fix: `it names the build that published the live version ${live.version} at ${live.builtAt}, over ${minutes} minutes ago, which looks to have died before giving it back; every build is refused while it is there: if no build is running, delete it (${remove}), and the next build removes what that one left`,
    };
  }
  return { owner, since, running: true, fix: `no other build can start while it is there; if its build died (killed, or its machine lost), delete it (${remove}) once no build is running` };
}

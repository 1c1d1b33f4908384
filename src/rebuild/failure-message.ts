import { BuildCheckError } from '../../etl/build';
import { isLandingFolderError } from '../../etl/engine/engine-errors';
import { isLandingChanged } from '../../etl/landing-changed-error';

/**
 * What `rebuildJob.error` says of a failed build: a line the admin can act on,
 * its lake paths as `<lake>/…` (the server's folders are not the caller's to
 * see; the log keeps them whole), or a pointer to the log when it names no fix.
 */

/**
 * A rebuild asked for while the server stops (a build started then would outlive the server). A plain error, so a
 * cluster's primary loads no GraphQL; error-mapping.ts answers it ENGINE_BUSY with this message.
 */
export class ShuttingDownError extends Error {
  override readonly name = 'ShuttingDownError';
  constructor() {
    super(SHUTTING_DOWN_MESSAGE);
  }
}

const SHUTTING_DOWN_MESSAGE = 'the server is shutting down: no rebuild starts now; ask again once it has restarted';

/** That refusal, here or from a cluster's primary (it crosses to a worker as its message under ENGINE_BUSY). */
export const isShuttingDown = (error: unknown): boolean => error instanceof ShuttingDownError || (error as Error)?.message === SHUTTING_DOWN_MESSAGE;

// A path left absolute after `<lake>` is put in: one outside the lake, not shown (a word such as u+w never starts with /).
const ABSOLUTE_PATH = /(^|[\s('"`=])\/\w/;

/** `message` with the lake folder written `<lake>`, or null when it still names an absolute path. */
export function lakeRelative(message: string, lake: string): string | null {
  const escaped = lake.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Only the lake itself or a path inside it: not a sibling folder whose name starts the same (`/srv/lake2`).
  const shown = message.replace(new RegExp(`${escaped}(?=$|[/\\s:;,)'"\`])`, 'g'), '<lake>');
  return ABSOLUTE_PATH.test(shown) ? null : shown;
}

/** What a rebuild refused because another build holds the lake says: no fault, it may be tried again once that build ends. */
export const LAKE_BUSY_MESSAGE = 'another build is running on this lake (perhaps `stedi build`); try again when it has finished';

/** A build refused because another build holds the lake. Private: by name, so src/ stays free of engine-specific imports. */
export const isLakeBusy = (error: unknown): boolean => (error as Error)?.name === 'BuildLockedError';

/** A landing folder missing or unusable, or the lake's filesystem refusing (full, read-only, not ours): its message says the fix. */
export const isOperatorsToFix = (error: unknown): boolean => isLandingFolderError(error) || (error as Error)?.name === 'LakeFilesystemError';

export function failureMessage(error: unknown, jobId: string, lake: string): string {
  const logged = `the build failed; the previous version stays live. The server log has the details (rebuild job ${jobId})`;
  const name = (error as Error)?.name;
  if (error instanceof BuildCheckError || name === 'BuildCheckError') return (error as Error).message;
  if (isLakeBusy(error)) return LAKE_BUSY_MESSAGE;
  // One line naming the lake path and the fix (not writable, another user's, full): the admin can act on it.
  if (name === 'LakeFilesystemError') {
    const said = lakeRelative((error as Error).message, lake);
    return said === null ? logged : `the build failed; the previous version stays live: ${said}`;
  }
  // The landing folder gone, or holding something other than landing files: the admin's to fix, said without a path outside the lake.
  if (isLandingFolderError(error)) {
    const said = lakeRelative((error as Error).message, lake);
    return `the build failed; the previous version stays live: ${said ?? `a landing folder is missing or holds something other than landing files; the server log names it (rebuild job ${jobId})`}`;
  }
  // A landing file kept changing while it was read (a writer still at work): said without a path outside the lake.
  if (isLandingChanged(error)) {
    const said = lakeRelative((error as Error).message, lake);
    return said ?? `the build failed; the previous version stays live: a landing file kept changing while the build read it (a writer still at work); the server log names it (rebuild job ${jobId})`;
  }
  // Killed (the OOM killer's SIGKILL, most often) or crashed: said, since the log holds no more than this.
  if ((error as Error)?.name === 'RebuildProcessDiedError') {
    const { signal, code } = error as { signal: string | null; code: number | null };
    const how = signal === 'SIGKILL' ? 'was killed (SIGKILL) before it finished: out of memory (the kernel\'s OOM killer; dmesg says so) or killed by hand' : `ended (${signal ?? `exit code ${code}`}) before it finished`;
    return `the build failed; the previous version stays live: the rebuild process ${how}; the next build removes what it left (rebuild job ${jobId})`;
  }
  return logged;
}

/** What `rebuildJob.warning` says of a build that published but left expired versions on disk (`stedi build`'s warning line). */
export function leftBehindMessage(message: string, jobId: string, lake: string): string {
  return lakeRelative(message, lake) ?? `expired versions could not all be removed and stay on disk (they may hold customers who withdrew consent); the server log names them and the fix (rebuild job ${jobId})`;
}

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, open, rmdir, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { shellWord } from '../../shell-word';
import { LakeFilesystemError } from '../engine-errors';
import { makeFolder } from '../../make-folder';
import { type LockHolder, holderState, readHolder } from './lock-holder';
import { processStart } from '../../dead-process-folders';
import { hardLinksRefused } from './hard-links';

/**
 * One build at a time per lake folder. The lock file appears whole or not at
 * all (written under a temporary name, then hard-linked into place, which
 * fails if it exists), and names its holder by host, pid and the process's
 * start time: it is stale only when that process is gone from this host.
 */

export class BuildLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | null,
  ) {
    // A lock without its time (hand-written, or an older release's) said "since )"; status says it this way.
    const who = holder ? `pid ${holder.pid} on ${holder.host}, since ${holder.since || 'an unknown time'}` : 'holder unknown';
    super(`another build is running (${who}) on this lake; wait for it to finish, or remove ${lockPath} if that process is gone`);
    this.name = 'BuildLockedError';
  }
}

/** Creates `path` holding `content` only if it does not exist yet; false if it does. */
async function createWhole(path: string, content: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let written = false;
  try {
    // Inside the try: a write that fails (a full disk) has made the file already, and it goes too.
    await writeFile(temporary, content, { flush: true });
    written = true;
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // The folder took a file, so this is no permission refusal (it said "make the lake folder writable"): the filesystem links none.
    if (written && hardLinksRefused(error)) return createExclusive(path, content);
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Where nothing can be linked: made with O_EXCL and written at once. A reader may find it empty for that moment; one
 * that would break it as stale reads it again under the takeover guard first (breakStale), by when it is whole.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const handle = await open(path, 'wx').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') return undefined;
    throw error;
  });
  if (!handle) return false;
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await unlink(path).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
  return true;
}

export interface HeldLock {
  holder: LockHolder;
  /** Removes the lock if it is still this holder's. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** The holder of a build at work on the lake by its record (see acquireBuildLock); unset: only the lock file tells. */
  running?: () => Promise<LockHolder | null>;
  /** Make the lock's folder first (default true); false for a folder that must already exist (acquireLockInFolder). */
  makeLockFolder?: boolean;
}

/**
 * `running` names a build still at work on the lake by other means than the lock (its build record): a lock file
 * that cannot be read (zeroed, cut, overwritten), or none (removed by hand), is then that build's, not stale; taking
 * it let a second build run beside the first and delete its files as a dead build's.
 */
export async function acquireBuildLock(lockPath: string, owner: string, { running, makeLockFolder = true }: AcquireOptions = {}): Promise<HeldLock> {
  const holder: LockHolder = { pid: process.pid, host: hostname(), pidStart: processStart(process.pid), owner, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const content = JSON.stringify(holder);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    // Made on each attempt: a failed build that just released its lock removes the folder when it is empty.
    if (makeLockFolder) await makeFolder(dirname(lockPath));
    if (await (makeLockFolder ? createWhole(lockPath, content).catch(retryIfGone) : createWhole(lockPath, content))) {
      // A lock removed by hand while its build still ran: that build goes on, so this one may not.
      const other = await running?.();
      if (other) {
        await removeIfHeldBy(lockPath, holder.token);
        throw new BuildLockedError(lockPath, other);
      }
      return { holder, release: () => removeIfHeldBy(lockPath, holder.token) };
    }
    const current = await readHolder(lockPath);
    if (current && holderState(current) !== 'gone') throw new BuildLockedError(lockPath, current);
    const other = current ? null : await running?.();
    if (other) throw new BuildLockedError(lockPath, other);
    // Stale (or unreadable, as older versions left it): break it under a second lock, so two
    // builders breaking the same stale lock cannot remove each other's fresh one.
    await breakStale(lockPath, current?.token ?? null, content);
  }
  throw new BuildLockedError(lockPath, await readHolder(lockPath));
}

/** The folder a lock is taken in (never made) is gone: nothing of its owner's is there any more. */
export class LockFolderGoneError extends Error {
  constructor(readonly folder: string) {
    super(`${folder} is gone`);
    this.name = 'LockFolderGoneError';
  }
}

/**
 * Takes a lock only inside a folder that exists (a version's), never making it: a folder removed meanwhile (the
 * version expired) throws LockFolderGoneError. Made again, it held files nothing removes (a withdrawn customer's serials).
 */
export async function acquireLockInFolder(lockPath: string, owner: string): Promise<HeldLock> {
  try {
    return await acquireBuildLock(lockPath, owner, { makeLockFolder: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dirname(lockPath))) throw new LockFolderGoneError(dirname(lockPath));
    throw error;
  }
}

/** A lock folder removed between mkdir and write: try again (false) rather than fail. */
function retryIfGone(error: unknown): false {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
  throw error;
}

async function breakStale(lockPath: string, staleToken: string | null, content: string): Promise<void> {
  const guard = `${lockPath}.takeover`;
  if (!(await createWhole(guard, content))) {
    const breaker = await readHolder(guard);
    // A breaker killed inside this short section leaves its guard behind; anyone may clear it.
    if (!breaker || holderState(breaker) === 'gone') await removeLeftoverGuard(guard);
    else await new Promise((resolve) => setTimeout(resolve, 20));
    return;
  }
  try {
    const now = await readHolder(lockPath);
    if ((now?.token ?? null) === staleToken) await removeLeftover(lockPath, (code) => `${lockPath} is a folder, not a build's lock file (no build makes one), and it cannot be removed (${code})`);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * A guard no live breaker holds. A folder in its place (no build makes one) is removed when empty; one that cannot be
 * removed is named with its fix: left alone, every build took the dead build's lock for a running one.
 */
const removeLeftoverGuard = (guard: string): Promise<void> =>
  removeLeftover(guard, (code) => `the lock ${lockPathOf(guard)} is a dead build's, but ${guard} (where a build takes such a lock over) cannot be removed (${code}): no build uses it`);

/**
 * Removes a stale lock or guard. A folder in a lock's place (no build makes one) is removed when empty, and one
 * holding files is named with its fix: otherwise every build took it for a running build's lock ("holder unknown").
 */
async function removeLeftover(path: string, what: (code: string) => string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    let code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    if (code === 'ENOENT') return;
    if (code === 'EISDIR' || code === 'EPERM') {
      const left = await rmdir(path).then(
        () => 'ENOENT',
        (e: NodeJS.ErrnoException) => e.code ?? 'unknown',
      );
      if (left === 'ENOENT') return;
      code = left;
    }
    throw new LakeFilesystemError(`${what(code)}; remove it (rm -r ${shellWord(path)}) and build again`, path, code);
  }
}

const lockPathOf = (guard: string): string => guard.slice(0, -'.takeover'.length);

async function removeIfHeldBy(lockPath: string, token: string): Promise<void> {
  const current = await readHolder(lockPath);
  if (current?.token === token) await unlink(lockPath).catch(() => undefined);
}

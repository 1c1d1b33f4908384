/**
 * Errors every engine raises the same way, so callers (the API, the CLI) can
 * tell a caller's problem from an internal one without knowing the engine.
 */

/**
 * The version a reader asked for is no longer kept (it expired after newer
 * builds, or early to erase a withdrawn consent), or is kept but damaged.
 */
export class StaleVersionError extends Error {
  constructor(
    readonly version: string,
    readonly damage?: string,
  ) {
    super(
      damage
        ? // Two readers: the notebook restarts its pull; its user tells the operator, who checks and repairs with the CLI.
          `lake version ${version} is damaged (${damage}) and cannot be read; start again from the first page (omit \`after\`) to read the live version` +
            afterDamage(damage, "tell the server's operator: `stedi status` names every damaged file, and `stedi build` (or an admin's rebuildZones mutation) writes a new version and expires this one")
        : // Said where nobody knows why it expired (a server process started since): consent may be why, so discard.
          `lake version ${version} is no longer kept, and this server cannot tell why (versions expire as newer builds replace them, and at once when they hold a customer who withdrew consent): ` +
          "rows the earlier pages read may be such a customer's and must no longer be used: discard them and start again from the first page (omit `after`) to read the live version",
    );
    this.name = 'StaleVersionError';
  }
}

/** What a version file's damage says when the file is there but the user running stedi may not read it. */
export const READ_ACCESS_FIX = "give that user read access (chmod, chown) or run stedi as the lake's owner";

/** `; <rebuild>` after a damage, or nothing when the damage is permissions and names its own fix (a build would not help). */
export const afterDamage = (damage: string, rebuild: string): string => (damage.endsWith(READ_ACCESS_FIX) ? '' : `; ${rebuild}`);

/** The live version cannot be read (a file is missing, truncated or fails its checksum): a build repairs it, or permissions do. */
export class LakeDamagedError extends Error {
  constructor(
    readonly version: string,
    readonly damage: string,
  ) {
    super(`the live lake version ${version} is damaged (${damage})${afterDamage(damage, 'run `stedi build` (or the rebuildZones mutation) to build a new one')}`);
    this.name = 'LakeDamagedError';
  }
}

/**
 * The filesystem refused a lake operation (not writable, another user's,
 * full, read-only). The message is one line naming the path and the fix.
 */
export class LakeFilesystemError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'LakeFilesystemError';
  }
}

/**
 * The folder DuckDB spills into (what passes its memory limit) cannot take the spill: its disk is full (DuckDB says
 * "Out of Memory Error: failed to offload data block", where memory is not what ran out), or it refuses writes (a
 * read-only TMPDIR). `folder` is for the operator's log, never a client.
 */
export class SpillFolderError extends Error {
  constructor(
    readonly folder: string,
    readonly full: boolean,
    cause: unknown,
  ) {
    super(
      full
        ? `no space left on the device holding ${folder}, where DuckDB spills what passes its memory limit; free space there (or set TMPDIR to a folder on a larger disk)`
        : `cannot write ${folder}, where DuckDB spills what passes its memory limit: the folder is read-only or not this user's to write; set TMPDIR to a writable folder`,
      { cause },
    );
    this.name = 'SpillFolderError';
  }
}

// By shape, not instanceof: the native addon's errors may come from another realm (Jest's sandbox, for one).
const messageOf = (error: unknown): string => String((error as { message?: unknown } | null)?.message ?? '');

/** Whether `error` is DuckDB failing to spill because its temporary folder's disk (its max_temp_directory_size) is full. */
export const isSpillFull = (error: unknown): boolean => /failed to offload data block/i.test(messageOf(error));

/** What stops DuckDB spilling into `folder`, as a SpillFolderError; undefined for any other error. */
export function spillFolderError(error: unknown, folder: string): SpillFolderError | undefined {
  if (isSpillFull(error)) return new SpillFolderError(folder, true, error);
  const message = messageOf(error);
  if (message.includes(folder) && /read-only file system|permission denied/i.test(message)) return new SpillFolderError(folder, false, error);
  return undefined;
}

/** A query asked of an engine after close(): the process is stopping, nothing is wrong with the lake. */
export class EngineClosedError extends Error {
  constructor() {
    super('the engine is closed; no more queries are accepted');
    this.name = 'EngineClosedError';
  }
}

/** A query ran longer than its time limit and was cancelled. */
export class QueryTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(`the query was cancelled after ${timeoutMs} ms`, { cause });
    this.name = 'QueryTimeoutError';
  }
}

/** The engine's service refused queries for now (throttled) after every retry: nothing is wrong with the request or the lake. */
export class EngineBusyError extends Error {
  constructor(cause: unknown) {
    // What to do, for the operator reading it in a CLI line or the log; API clients get error-mapping's own message.
    const name = (cause as { name?: string } | undefined)?.name;
    super(
      `Athena still throttled the query after every retry (${name && name !== 'Error' ? `${name}; ` : ''}STEDI_ATHENA_MAX_RETRIES): too many queries are running in the account or workgroup; run it again in a few minutes, or ask AWS to raise the account's Athena query quota`,
      { cause },
    );
    this.name = 'EngineBusyError';
  }
}

/**
 * The engine's service could not be reached (no route, refused, timed out): nothing is wrong with the
 * request or the lake; the server's network is the operator's to fix. The message says so.
 */
export class EngineUnreachableError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'EngineUnreachableError';
  }
}

/**
 * The engine's service failed on its own side (an AWS 5xx such as InternalServerException, after the SDK's
 * retries): nothing is wrong with the request, the lake or the set-up; retry later. The message names the
 * service, its error and request id (what AWS support asks for).
 */
export class EngineUnavailableError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'EngineUnavailableError';
  }
}

/**
 * This process reached its open-file limit (or the system its table of open files) while it opened a lake file: the
 * file is fine and a moment later may open, so it is never taken for damage; the limit is the operator's to raise.
 */
export class OpenFileLimitError extends Error {
  constructor(
    readonly file: string,
    cause?: unknown,
  ) {
    super(`this process reached its open-file limit (ulimit -n) at ${file}; raise it (ulimit -n 4096) before starting stedi`, { cause });
    this.name = 'OpenFileLimitError';
  }
}

/** Whether `error`, or one it was caused by, is the open-file limit: Node's EMFILE or ENFILE, DuckDB's words for them. */
export function isOpenFileLimit(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (e instanceof OpenFileLimitError) return true;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === 'EMFILE' || code === 'ENFILE' || (typeof message === 'string' && /too many open files/i.test(message))) return true;
  }
  return false;
}

/** The lake has no live version yet: nothing has been built. */
export class LakeNotBuiltError extends Error {
  constructor(where: string) {
    super(`the lake at ${where} has not been built yet; run \`stedi build\` first`);
    this.name = 'LakeNotBuiltError';
  }
}

/** A query parameter that cannot be bound (not a finite number, an unsupported type): the caller's input is at fault. */
export class ParameterError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'ParameterError';
  }
}

/** The embedded engine's LandingFolderError (a landing folder missing or holding what no build reads), known by name: src imports no engine's own modules. */
export const isLandingFolderError = (error: unknown): error is Error & { folder?: string; problem?: string } => error instanceof Error && error.name === 'LandingFolderError';

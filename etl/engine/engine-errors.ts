/**
 * Errors every engine raises the same way, so callers (the API, the CLI) can
 * tell a caller's problem from an internal one without knowing the engine.
 */

/** The version a reader asked for is no longer kept (it expired after newer builds, or early to erase a withdrawn consent). */
export class StaleVersionError extends Error {
  constructor(readonly version: string) {
    super(`lake version ${version} is no longer kept; start again from the first page to read the live version (versions expire as newer builds replace them, and at once when they hold a customer who withdrew consent)`);
    this.name = 'StaleVersionError';
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

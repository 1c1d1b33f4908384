/** Why a build does not hold the lake's lock (s3-build-lock.ts). */

/** The lock is taken: another build runs (or died holding it). */
export class BuildLockHeldError extends Error {
  constructor(message: string) {
    super(message);
    // The embedded engine's name for the same refusal: a rebuild job tells the admin by this name (src/ imports no engine).
    this.name = 'BuildLockedError';
  }
}

/** The lock this build wrote was deleted (and maybe taken by another build) while it ran. */
export class BuildLockLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildLockLostError';
  }
}

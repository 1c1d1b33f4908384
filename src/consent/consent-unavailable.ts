import { EngineClosedError, EngineUnavailableError, EngineUnreachableError, LakeDamagedError, LakeNotBuiltError, QueryTimeoutError } from '../../etl/engine/engine-errors';
import { ManifestError } from '../../etl/manifest';

/**
 * The consent registry could not re-read the customer landing data in time
 * (its folder moved or unreadable, say): no answer may be given without a
 * current consent view. The operator's to fix, not a bug of ours nor the
 * caller's. The cause may name server paths: the registry's refresh logs it,
 * the caller never sees it.
 */
export class ConsentUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the consent registry could not refresh from the customer landing data', { cause });
    this.name = 'ConsentUnavailableError';
  }
}

// Private: a refresh failing with these is answered as they say (a damaged or unbuilt lake, a timeout, an engine out of reach or failing on AWS's side, a closing server), not as consent unavailable.
const SAYS_ITSELF = [ManifestError, LakeDamagedError, LakeNotBuiltError, QueryTimeoutError, EngineUnreachableError, EngineUnavailableError, EngineClosedError];

/** What a request is told when the registry's refresh failed with `error`: the error itself when it says what is wrong, else ConsentUnavailableError. */
export const unlessItSaysItself = (error: unknown): unknown => (SAYS_ITSELF.some((kind) => error instanceof kind) ? error : new ConsentUnavailableError(error));

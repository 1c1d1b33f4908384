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

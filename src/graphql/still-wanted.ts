import { ErrorCode, StediError } from '../errors';

/**
 * A request's work stops once its client is gone (src/http/client-gone.ts aborts the signal): checked between the
 * steps of the work (each engine query, each page or edge turn, the key queue, the answer), so what is left of a
 * 10,000-row page or of a queued request is never built for no one.
 */

/** The refusal of work for a client that is gone: never read by anyone, logged at info with the request. */
export const clientGone = (): StediError => new StediError(ErrorCode.CLIENT_GONE, 'the client closed its connection before its answer was sent; the work for it was stopped');

/** Throws once `gone` is aborted. */
export function stopIfGone(gone: AbortSignal | undefined): void {
  if (gone?.aborted) throw clientGone();
}

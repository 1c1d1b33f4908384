import { ErrorCode } from '../errors';
import { MESSAGES } from '../graphql/error-mapping';
import type { Services } from '../services';

/**
 * An /export refused 503 says when to ask again (Retry-After, as a 429 does: key-concurrency.ts) where waiting helps:
 * urllib3's Retry and `curl --retry` wait that long, and urllib3 retries a 503 only when it is there. None where only
 * the operator can help (a damaged lake, no lake and no build running): a client retrying that would just wait.
 */

/** Seconds to wait for a refused request's `code` and `message`, or undefined when waiting does not help. */
export async function retryAfterSeconds(services: Services, code: string, message: string): Promise<number | undefined> {
  if (code === ErrorCode.ENGINE_BUSY) return ENGINE_WAITS.get(message) ?? ENGINE_WAIT;
  // The registry is read again each refresh interval.
  if (code === ErrorCode.CONSENT_UNAVAILABLE) return Math.max(1, Math.ceil(services.config.consentRefreshMs / 1000));
  if (code === ErrorCode.LAKE_NOT_BUILT || code === ErrorCode.LAKE_DAMAGED) return (await lakeBeingBuilt(services)) ? BUILD_WAIT : undefined;
  return undefined;
}

// As each message says: a throttled Athena in a few seconds, a failing AWS in a few minutes.
const ENGINE_WAIT = 30;
const ENGINE_WAITS = new Map<string, number>([
  [MESSAGES.engineBusy, 5],
  [MESSAGES.engineUnreachable, ENGINE_WAIT],
  [MESSAGES.engineFailing, 120],
]);
const BUILD_WAIT = 30;

/** A rebuild of this server's, or a `stedi build` by hand holding the lake's lock. */
async function lakeBeingBuilt(services: Services): Promise<boolean> {
  if (services.rebuilds.current()) return true;
  const holder = await services.engine.buildLockHolder?.().catch(() => null);
  return holder?.running === true;
}

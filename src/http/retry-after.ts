import type { Engine } from '../../etl/engine/engine';
import { ErrorCode } from '../errors';
import { settleWithin } from '../settle-within';
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
  const look = await settleWithin(lockLook(services.engine), LOCK_WAIT_MS);
  return look !== 'pending' && look.status === 'fulfilled' && look.value;
}

/**
 * Whether a build holds the lake's lock, asked at most once per LOCK_LOOK_MS per engine: on Athena it is an S3 read
 * (with the manifest's), and a client retrying a refused /export in a loop made one per request.
 */
function lockLook(engine: Engine): Promise<boolean> {
  const now = performance.now();
  const kept = looks.get(engine);
  if (kept && now - kept.at < LOCK_LOOK_MS) return kept.running;
  const running = (engine.buildLockHolder?.() ?? Promise.resolve(null)).then((holder) => holder?.running === true, () => false);
  looks.set(engine, { at: now, running });
  return running;
}

const looks = new WeakMap<Engine, { at: number; running: Promise<boolean> }>();
const LOCK_LOOK_MS = 5_000;
// A refusal is not held up by a slow S3: past this it goes without Retry-After (the look goes on, for the next one).
const LOCK_WAIT_MS = 1_000;

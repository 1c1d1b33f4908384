import { QueryTimeoutError } from '../engine-errors';

/**
 * One AWS SDK call that is given up on, not waited out: the SDK itself only
 * ends a call whose connection goes silent at its socket timeout, and tries
 * it again (three attempts), minutes past any query's or request's limit.
 * The Athena query runner bounds its calls by the query's deadline; every
 * S3 and Glue call is bounded by STEDI_AWS_TIMEOUT_MS and the caller's abort.
 */

export type SdkCall<T> = (options: { abortSignal: AbortSignal }) => Promise<T>;

/** What bounds one S3 or Glue call: its own time limit, and the abort of the request it serves. */
export interface CallLimit {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** An S3 or Glue call abandoned at its time limit: AWS is out of reach for now (`isUnreachable` knows the name). */
export class AwsCallTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    cause: unknown,
  ) {
    super(`AWS did not answer within ${timeoutMs} ms (STEDI_AWS_TIMEOUT_MS)`, { cause });
    this.name = 'TimeoutError';
  }
}

/** One S3 or Glue call bounded by a fixed time limit: what each of the engine's AWS objects sends through. */
export type BoundedSend = <T>(call: SdkCall<T>) => Promise<T>;

/** Every call sent through the result is bounded by `timeoutMs` (STEDI_AWS_TIMEOUT_MS), as `sendWithin` bounds it. */
export function boundedBy(timeoutMs: number): BoundedSend {
  return (call) => sendWithin({ timeoutMs }, call);
}

/**
 * Runs `call`, aborting it when `signal` aborts or after `waitMs` (never when infinite); its error is rethrown as it is.
 * The caller stops waiting at the abort even when the call does not end on it (the SDK resolving credentials ignores it).
 */
export async function sendAbandonable<T>(call: SdkCall<T>, waitMs: number, signal?: AbortSignal): Promise<T> {
  const abandon = new AbortController();
  const timer = Number.isFinite(waitMs) ? setTimeout(() => abandon.abort(), Math.max(0, waitMs)) : undefined;
  timer?.unref?.();
  const onAbort = (): void => abandon.abort();
  if (signal?.aborted) abandon.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const { abandoned, stopListening } = abandonedOn(abandon.signal);
  try {
    const running = Promise.resolve().then(() => call({ abortSignal: abandon.signal }));
    // It may settle after the caller stopped waiting: its outcome is then no one's.
    running.catch(() => undefined);
    return await Promise.race([running, abandoned]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    stopListening();
  }
}

/** A promise rejected with an AbortError once `signal` aborts (never settled otherwise). */
function abandonedOn(signal: AbortSignal): { abandoned: Promise<never>; stopListening: () => void } {
  let giveUp = (): void => undefined;
  const abandoned = new Promise<never>((_resolve, reject) => {
    giveUp = () => reject(Object.assign(new Error('the AWS call was abandoned'), { name: 'AbortError' }));
    if (signal.aborted) giveUp();
    else signal.addEventListener('abort', giveUp, { once: true });
  });
  abandoned.catch(() => undefined);
  return { abandoned, stopListening: () => signal.removeEventListener('abort', giveUp) };
}

/**
 * One S3 or Glue call within `limit`: abandoned at the time limit it fails as AwsCallTimeoutError,
 * abandoned on the caller's abort as QueryTimeoutError (what a query abandoned on abort raises).
 * The caller stops waiting at the abort even when the call does not end on it (a response body
 * being read inside `call`, a handler deaf to the signal).
 */
export async function sendWithin<T>(limit: CallLimit, call: SdkCall<T>): Promise<T> {
  const started = Date.now();
  const expired = new AbortController();
  const timer = setTimeout(() => expired.abort(), limit.timeoutMs);
  timer.unref?.();
  const signal = limit.signal ? AbortSignal.any([limit.signal, expired.signal]) : expired.signal;
  const { abandoned, stopListening } = abandonedOn(signal);
  try {
    const running = Promise.resolve().then(() => call({ abortSignal: signal }));
    // It may settle after the caller stopped waiting: its outcome is then no one's.
    running.catch(() => undefined);
    return await Promise.race([running, abandoned]);
  } catch (error) {
    throw limitError(error, limit, expired.signal, started);
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}

/** What a call or copy within `limit` that failed raises: the caller's abort, its own deadline (`expired`), or its error. */
export function limitError(error: unknown, limit: CallLimit, expired: AbortSignal, started: number): unknown {
  if (limit.signal?.aborted) return new QueryTimeoutError(Date.now() - started, limit.signal.reason);
  if (expired.aborted) return new AwsCallTimeoutError(limit.timeoutMs, error);
  return error;
}

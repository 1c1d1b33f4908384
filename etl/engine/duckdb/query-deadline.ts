import type { QueryOptions } from '../engine';
import { QueryTimeoutError } from '../engine-errors';

/** What a deadline needs of a connection: a way to stop the statement it runs. */
export interface Interruptible {
  interrupt(): void;
}

/**
 * Runs `work` on `connection`, interrupting its statement after `timeoutMs`
 * (QueryTimeoutError) or when `options.signal` aborts (the client went away).
 */
export async function withDeadline<T>(connection: Interruptible, options: QueryOptions, defaultTimeoutMs: number | undefined, work: () => Promise<T>): Promise<T> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let timedOut = false;
  const cancel = (): void => connection.interrupt();
  const timer = timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        cancel();
      }, timeoutMs)
    : undefined;
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await work();
  } catch (error) {
    if (timedOut) throw new QueryTimeoutError(timeoutMs ?? 0, error);
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
}

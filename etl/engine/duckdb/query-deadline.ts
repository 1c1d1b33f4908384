import type { QueryOptions } from '../engine';
import { QueryTimeoutError } from '../engine-errors';

/** What a deadline needs of a connection: a way to stop the statement it runs. */
export interface Interruptible {
  interrupt(): void;
}

/** How often an interrupt is sent again until the work ends. */
export const INTERRUPT_AGAIN_MS = 20;

/**
 * Runs `work` on `connection`, interrupting its statement after `timeoutMs`
 * (QueryTimeoutError) or when `options.signal` aborts (the client went away).
 * DuckDB drops an interrupt that comes before its threads have begun the
 * statement (a busy machine queues it), and the statement then runs to its end
 * however long that is: so the interrupt is sent again until the work ends.
 */
export async function withDeadline<T>(connection: Interruptible, options: QueryOptions, defaultTimeoutMs: number | undefined, work: () => Promise<T>): Promise<T> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let timedOut = false;
  let again: NodeJS.Timeout | undefined;
  const cancel = (): void => {
    connection.interrupt();
    again ??= setInterval(() => connection.interrupt(), INTERRUPT_AGAIN_MS);
  };
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
    clearInterval(again);
    options.signal?.removeEventListener('abort', cancel);
  }
}

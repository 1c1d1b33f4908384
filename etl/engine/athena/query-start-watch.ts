import type { StartQueryExecutionCommand } from '@aws-sdk/client-athena';

/**
 * Whether a StartQueryExecution that failed may have started its query all the same.
 * Only such a start is asked again with its ClientRequestToken (to learn its id and stop
 * it): asked again after a start that never reached Athena, the same token starts the
 * query for the first time, billed for nothing.
 */

// Private: a request that failed with these was never sent (no name, no route, no connection).
const NEVER_SENT = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH']);

/** One attempt handed to the HTTP handler that failed with `error` (abandoned, cut off or a server error) may have started the query. */
export function attemptMayHaveStarted(error: unknown): boolean {
  const e = error as { code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (NEVER_SENT.has(e?.code ?? '')) return false;
  return !isRefusal(e?.$metadata?.httpStatusCode);
}

// A 4xx answer (throttled, invalid) is Athena refusing the start: nothing was started.
const isRefusal = (status: number | undefined): boolean => status !== undefined && status >= 400 && status < 500;

export interface StartWatch {
  /**
   * Some attempt of the command reached the HTTP handler and was not refused. A client whose
   * middleware never ran (a stand-in) cannot be watched: then `error`, the call's failure, decides.
   */
  mayHaveStarted(error: unknown): boolean;
  /** The options the command is sent with: an attempt handed over once their signal aborted is refused by the handler unsent. */
  sentWith<O extends { abortSignal?: AbortSignal }>(options: O): O;
}

/**
 * Watches each attempt the SDK makes of `command` (its retries included) where it is handed to
 * the HTTP handler: an attempt that never got there (the caller aborted while credentials were
 * being resolved, or during the SDK's backoff) sent nothing.
 */
export function watchStart(command: StartQueryExecutionCommand): StartWatch {
  let observed = false;
  let reached = false;
  let signal: AbortSignal | undefined;
  command.middlewareStack.add(
    (next) => (args) => {
      observed = true;
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'stediStartWatch' },
  );
  command.middlewareStack.add(
    (next) => async (args) => {
      if (signal?.aborted) return next(args);
      const before = reached;
      reached = true;
      try {
        const result = await next(args);
        if (isRefusal((result.response as { statusCode?: number } | undefined)?.statusCode)) reached = before;
        return result;
      } catch (error) {
        if (!attemptMayHaveStarted(error)) reached = before;
        throw error;
      }
    },
    // Innermost: below the retries and the signing, right above the HTTP handler.
    { step: 'deserialize', priority: 'low', name: 'stediStartAttemptWatch' },
  );
  return {
    mayHaveStarted: (error) => (observed ? reached : attemptMayHaveStarted(error)),
    sentWith: (options) => {
      signal = options.abortSignal;
      return options;
    },
  };
}

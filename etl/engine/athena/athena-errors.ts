import type { QueryExecution } from '@aws-sdk/client-athena';
import { shownReason } from './athena-reason';

/**
 * A query Athena ran and gave up on (FAILED, or CANCELLED by someone else).
 * The message carries Athena's own reason (its quoted values cut: they may be
 * landing content) and error category so an operator can act on it;
 * `retryable` is Athena's verdict, never guessed.
 */

const CATEGORIES: Record<number, string> = { 1: 'SYSTEM', 2: 'USER', 3: 'OTHER' };

export class AthenaQueryError extends Error {
  constructor(
    readonly queryExecutionId: string,
    readonly state: 'FAILED' | 'CANCELLED',
    readonly category: string,
    readonly retryable: boolean,
    readonly reason: string,
    readonly errorType?: number,
  ) {
    super(`Athena query ${queryExecutionId} ${state === 'FAILED' ? 'failed' : 'was cancelled'} (${category} error${errorType ? ` ${errorType}` : ''}): ${reason}${resultsFix(reason)}`);
    this.name = 'AthenaQueryError';
  }

  static from(execution: QueryExecution): AthenaQueryError {
    const status = execution.Status;
    const error = status?.AthenaError;
    const state = status?.State === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
    const reason = status?.StateChangeReason ?? error?.ErrorMessage ?? (state === 'CANCELLED' ? 'cancelled outside this process' : 'no reason given');
    return new AthenaQueryError(
      execution.QueryExecutionId ?? 'unknown',
      state,
      CATEGORIES[error?.ErrorCategory ?? 0] ?? 'UNKNOWN',
      error?.Retryable === true,
      shownReason(reason),
      error?.ErrorType,
    );
  }
}

/** Athena's reason blames where query results go: said with the setting that names it, which Athena's words do not. */
function resultsFix(reason: string): string {
  if (!/output bucket|writing output|location provided to save your query results|query results? location/i.test(reason)) return '';
  return '; check the query results location (STEDI_ATHENA_OUTPUT or --output-location, else the workgroup\'s): its bucket must exist in this region, and the role needs s3:GetBucketLocation, s3:PutObject and s3:GetObject there';
}

// Private: the names AWS SDKs give throttling responses (Athena's is TooManyRequestsException).
const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'ThrottledException', 'RequestLimitExceeded', 'SlowDown']);

/** A call the service refused for now (throttling), or a query Athena itself marks Retryable. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AthenaQueryError) return error.retryable;
  const e = error as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
  return THROTTLING.has(e?.name ?? '') || e?.$retryable?.throttling === true;
}

import { type AthenaClient, GetQueryExecutionCommand, type QueryExecution } from '@aws-sdk/client-athena';
import { EngineBusyError, QueryTimeoutError } from '../engine-errors';
import { AthenaQueryError, isRetryable } from './athena-errors';
import { unavailableOr } from './aws-error-text';
import { type Clock, systemClock } from './clock';
import { QueryControl } from './query-control';

/**
 * One Athena query from start to finish: StartQueryExecution, then
 * GetQueryExecution polled with capped exponential backoff until the query
 * SUCCEEDS, FAILS or is CANCELLED. A timeout, an abort or a poll that fails
 * for good stops the query (StopQueryExecution) so it is not left running and
 * billed, and so is a query whose start was abandoned before Athena answered
 * once that start may have reached Athena (query-control.ts).
 * A throttled poll is polled again, never started again; a throttled
 * start and a failure Athena marks Retryable are tried again a bounded number
 * of times, after `beforeRetry` (a CTAS removes its partial files there).
 * Reading the results of a finished query retries a throttled page the same way (`retryThrottled`).
 */

export interface QuerySettings {
  workgroup: string;
  outputLocation?: string;
  database: string;
  pollMinMs: number;
  pollMaxMs: number;
  maxRetries: number;
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** ExecutionParameters, already SQL literals (see parameters.ts). */
  parameters?: string[];
  /** Runs before a failed query is started again (not before retrying a throttled start). */
  beforeRetry?: () => Promise<void>;
}

export class AthenaQueryRunner {
  private readonly control: QueryControl;

  constructor(
    private readonly client: AthenaClient,
    private readonly settings: QuerySettings,
    private readonly clock: Clock = systemClock,
  ) {
    this.control = new QueryControl(client, settings, clock);
  }

  /** Runs `sql` to completion and returns its final QueryExecution (state SUCCEEDED). */
  async run(sql: string, options: RunOptions): Promise<QueryExecution> {
    const started = this.clock.now();
    const deadline = started + options.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      await this.throwIfOver(undefined, started, deadline, options);
      let id: string | undefined;
      try {
        id = await this.control.start(sql, options.parameters, deadline, options.signal);
        return await this.waitFor(id, started, deadline, options);
      } catch (error) {
        // A query that neither ended on its own nor was stopped for a timeout may still run: stop it first.
        if (id && !(error instanceof AthenaQueryError) && !(error instanceof QueryTimeoutError)) await this.control.stop(id);
        // A call abandoned at the deadline or on the caller's abort (QueryControl.send) is the timeout, not an error of its own,
        // even when the clock reads a hair short of the deadline: a timer may fire early (whole ms, the loop's cached time).
        if (!(error instanceof AthenaQueryError)) await this.throwIfOver(undefined, started, deadline, options, isAbandoned(error));
        if (error instanceof QueryTimeoutError || !isRetryable(error)) throw unavailableOr(error, 'Athena', 'cannot run the Athena query');
        if (attempt >= this.settings.maxRetries) throw busyOr(error);
        if (id) await options.beforeRetry?.();
        await this.clock.sleep(this.backoff(attempt + 2), options.signal);
      }
    }
  }

  private async waitFor(id: string, started: number, deadline: number, options: RunOptions): Promise<QueryExecution> {
    for (let poll = 0; ; poll += 1) {
      let execution: QueryExecution | undefined;
      try {
        const request = new GetQueryExecutionCommand({ QueryExecutionId: id });
        execution = (await this.control.send((o) => this.client.send(request, o), deadline, options.signal)).QueryExecution;
      } catch (error) {
        // A throttled poll says nothing about the query, which keeps running: poll the same id again, later, until the deadline.
        if (!isRetryable(error)) throw error;
      }
      switch (execution?.Status?.State) {
        case 'SUCCEEDED':
          return execution;
        case 'FAILED':
        case 'CANCELLED':
          throw AthenaQueryError.from(execution);
        default: // QUEUED, RUNNING, or a poll that was throttled
          break;
      }
      await this.throwIfOver(id, started, deadline, options);
      await this.clock.sleep(Math.min(this.backoff(poll), Math.max(0, deadline - this.clock.now())), options.signal);
      await this.throwIfOver(id, started, deadline, options);
    }
  }

  /**
   * One call reading a finished query (a GetQueryResults page): a throttled call is sent again after
   * the backoff, up to maxRetries times, so a query already paid for is not lost to a busy moment. A page
   * whose connection goes silent is abandoned when the caller aborts, as a poll is (QueryControl.send).
   */
  async retryThrottled<T>(send: (options: { abortSignal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const started = this.clock.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.control.send(send, Number.POSITIVE_INFINITY, signal);
      } catch (error) {
        // Abandoned on the caller's abort: the time limit, as for a poll.
        if (signal?.aborted && !(error instanceof AthenaQueryError)) throw new QueryTimeoutError(this.clock.now() - started, signal.reason);
        if (error instanceof AthenaQueryError || !isRetryable(error) || signal?.aborted) throw unavailableOr(error, 'Athena', 'cannot read the Athena query results');
        if (attempt >= this.settings.maxRetries) throw busyOr(error);
        await this.clock.sleep(this.backoff(attempt + 2), signal);
      }
    }
  }

  /** Past the deadline or aborted: stop the query (when one is running) and raise QueryTimeoutError. */
  private async throwIfOver(id: string | undefined, started: number, deadline: number, options: RunOptions, due = false): Promise<void> {
    const now = this.clock.now();
    if (!due && now < deadline && !options.signal?.aborted) return;
    if (id) await this.control.stop(id);
    const limit = options.signal?.aborted ? now - started : options.timeoutMs;
    throw new QueryTimeoutError(limit, options.signal?.aborted ? options.signal.reason : undefined);
  }

  private backoff(step: number): number {
    return Math.min(this.settings.pollMaxMs, this.settings.pollMinMs * 2 ** Math.min(step, 30));
  }
}

/** A call given up by QueryControl.send (aws-call.ts), at the deadline or the caller's abort: no other call is abandoned. */
const isAbandoned = (error: unknown): boolean => (error as { name?: string } | undefined)?.name === 'AbortError';

/** A call still throttled after every retry is the service being busy; a failed query Athena marked Retryable stays itself. */
function busyOr(error: unknown): unknown {
  return error instanceof AthenaQueryError ? error : new EngineBusyError(error);
}

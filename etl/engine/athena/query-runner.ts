import { randomUUID } from 'node:crypto';
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { EngineBusyError, QueryTimeoutError } from '../engine-errors';
import { AthenaQueryError, isRetryable } from './athena-errors';
import { type SdkCall, sendAbandonable } from './aws-call';
import { unreachableOr } from './aws-error-text';
import { type Clock, systemClock } from './clock';
import { watchStart } from './query-start-watch';

/**
 * One Athena query from start to finish: StartQueryExecution, then
 * GetQueryExecution polled with capped exponential backoff until the query
 * SUCCEEDS, FAILS or is CANCELLED. A timeout, an abort or a poll that fails
 * for good stops the query (StopQueryExecution) so it is not left running and
 * billed, and so is a query whose start was abandoned before Athena answered
 * once that start may have reached Athena (its ClientRequestToken names it; query-start-watch.ts).
 * A throttled poll is polled again, never started again; a throttled
 * start and a failure Athena marks Retryable are tried again a bounded number
 * of times, after `beforeRetry` (a CTAS removes its partial files there).
 * Reading the results of a finished query retries a throttled page the same way (`retryThrottled`).
 */

// Private: how long a StopQueryExecution may take; stopping is best effort and must not hold up the caller.
const STOP_WAIT_MS = 10_000;

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
  constructor(
    private readonly client: AthenaClient,
    private readonly settings: QuerySettings,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Runs `sql` to completion and returns its final QueryExecution (state SUCCEEDED). */
  async run(sql: string, options: RunOptions): Promise<QueryExecution> {
    const started = this.clock.now();
    const deadline = started + options.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      await this.throwIfOver(undefined, started, deadline, options);
      let id: string | undefined;
      try {
        id = await this.start(sql, options.parameters, deadline, options.signal);
        return await this.waitFor(id, started, deadline, options);
      } catch (error) {
        // A query that neither ended on its own nor was stopped for a timeout may still run: stop it first.
        if (id && !(error instanceof AthenaQueryError) && !(error instanceof QueryTimeoutError)) await this.stop(id);
        // A call abandoned at the deadline or on the caller's abort (see `send`) is the timeout, not an error of its own.
        if (!(error instanceof AthenaQueryError)) await this.throwIfOver(undefined, started, deadline, options);
        if (error instanceof QueryTimeoutError || !isRetryable(error)) throw unreachableOr(error, 'cannot run the Athena query');
        if (attempt >= this.settings.maxRetries) throw busyOr(error);
        if (id) await options.beforeRetry?.();
        await this.clock.sleep(this.backoff(attempt + 2), options.signal);
      }
    }
  }

  private async start(sql: string, parameters: string[] | undefined, deadline: number, signal?: AbortSignal): Promise<string> {
    const { workgroup, outputLocation, database } = this.settings;
    const input = {
      QueryString: sql,
      // Each started query has its own token: asked again with it, Athena answers with that query and starts no other.
      ClientRequestToken: randomUUID(),
      WorkGroup: workgroup,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: database },
      ...(outputLocation ? { ResultConfiguration: { OutputLocation: outputLocation } } : {}),
      ...(parameters ? { ExecutionParameters: parameters } : {}),
    };
    const command = new StartQueryExecutionCommand(input);
    const watch = watchStart(command);
    try {
      const response = await this.send((o) => this.client.send(command, watch.sentWith(o)), deadline, signal);
      if (!response.QueryExecutionId) throw new Error('Athena started a query but returned no QueryExecutionId');
      return response.QueryExecutionId;
    } catch (error) {
      if (watch.mayHaveStarted(error)) await this.stopUnanswered(input);
      throw error;
    }
  }

  /**
   * A start whose answer never came (abandoned at the deadline or on abort, a dropped connection) may
   * have started the query. Asked again with the same token, Athena names it, and it is stopped instead
   * of running on, billed. Asked only when an attempt reached the HTTP handler and was not refused:
   * asked after a start that never left this process, the token would start the query for the first time.
   */
  private async stopUnanswered(input: StartQueryExecutionCommandInput): Promise<void> {
    try {
      const again = await this.send((o) => this.client.send(new StartQueryExecutionCommand(input), o), this.clock.now() + STOP_WAIT_MS);
      if (again.QueryExecutionId) await this.stop(again.QueryExecutionId);
    } catch {
      // Best effort, like `stop`: the caller needs to hear why the start failed.
    }
  }

  private async waitFor(id: string, started: number, deadline: number, options: RunOptions): Promise<QueryExecution> {
    for (let poll = 0; ; poll += 1) {
      let execution: QueryExecution | undefined;
      try {
        const request = new GetQueryExecutionCommand({ QueryExecutionId: id });
        execution = (await this.send((o) => this.client.send(request, o), deadline, options.signal)).QueryExecution;
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
   * whose connection goes silent is abandoned when the caller aborts, as a poll is (`send`).
   */
  async retryThrottled<T>(send: (options: { abortSignal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const started = this.clock.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.send(send, Number.POSITIVE_INFINITY, signal);
      } catch (error) {
        // Abandoned on the caller's abort: the time limit, as for a poll.
        if (signal?.aborted && !(error instanceof AthenaQueryError)) throw new QueryTimeoutError(this.clock.now() - started, signal.reason);
        if (error instanceof AthenaQueryError || !isRetryable(error) || signal?.aborted) throw unreachableOr(error, 'cannot read the Athena query results');
        if (attempt >= this.settings.maxRetries) throw busyOr(error);
        await this.clock.sleep(this.backoff(attempt + 2), signal);
      }
    }
  }

  /** Past the deadline or aborted: stop the query (when one is running) and raise QueryTimeoutError. */
  private async throwIfOver(id: string | undefined, started: number, deadline: number, options: RunOptions): Promise<void> {
    const now = this.clock.now();
    if (now < deadline && !options.signal?.aborted) return;
    if (id) await this.stop(id);
    const limit = options.signal?.aborted ? now - started : options.timeoutMs;
    throw new QueryTimeoutError(limit, options.signal?.aborted ? options.signal.reason : undefined);
  }

  private async stop(id: string): Promise<void> {
    try {
      const command = new StopQueryExecutionCommand({ QueryExecutionId: id });
      await this.send((o) => this.client.send(command, o), this.clock.now() + STOP_WAIT_MS);
    } catch {
      // Best effort: the query may have finished in the meantime; the timeout is what the caller needs to hear.
    }
  }

  /** One call, abandoned when `signal` aborts or `deadline` passes (aws-call.ts). */
  private send<T>(call: SdkCall<T>, deadline: number, signal?: AbortSignal): Promise<T> {
    // No deadline (a result page): only the caller's abort ends the call.
    return sendAbandonable(call, Number.isFinite(deadline) ? deadline - this.clock.now() : Number.POSITIVE_INFINITY, signal);
  }

  private backoff(step: number): number {
    return Math.min(this.settings.pollMaxMs, this.settings.pollMinMs * 2 ** Math.min(step, 30));
  }
}

/** A call still throttled after every retry is the service being busy; a failed query Athena marked Retryable stays itself. */
function busyOr(error: unknown): unknown {
  return error instanceof AthenaQueryError ? error : new EngineBusyError(error);
}

import type { AthenaClient } from '@aws-sdk/client-athena';
import type { Row } from '../engine';
import { QueryTimeoutError } from '../engine-errors';
import { executionParameters } from './parameters';
import type { AthenaQueryRunner } from './query-runner';
import { readResultRows } from './results';
import type { LakeStore } from './s3-lake';
import { type Statement, dropTable } from './statements';

/**
 * Where a build's statements go: Athena for a real build, a recorder for
 * `stedi build --dry-run`. The build target never talks to Athena directly,
 * so a dry run walks exactly the same path and prints exactly what would run.
 */
export interface StatementRunner {
  execute(statement: Statement): Promise<void>;
  /** Runs a SELECT and returns its rows (few: counts and checks). */
  select(statement: Statement): Promise<Row[]>;
  /** Stops every statement still running (StopQueryExecution) and waits until each has ended. */
  stopAll(): Promise<void>;
}

export class AthenaStatementRunner implements StatementRunner {
  private stopping = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly client: AthenaClient,
    private readonly runner: AthenaQueryRunner,
    private readonly timeoutMs: number,
    private readonly lake: Pick<LakeStore, 'deletePrefix'>,
  ) {}

  async execute(statement: Statement): Promise<void> {
    await this.run(statement);
  }

  async select(statement: Statement): Promise<Row[]> {
    const call = <T>(send: () => Promise<T>): Promise<T> => this.runner.retryThrottled(send, this.stopping.signal);
    return readResultRows(this.client, await this.run(statement), { maxRows: 10_000, call });
  }

  async stopAll(): Promise<void> {
    this.stopping.abort(new Error('the build stopped'));
    await Promise.allSettled([...this.running]);
    this.stopping = new AbortController();
  }

  private run(statement: Statement) {
    const parameters = executionParameters(statement.sql, statement.params ?? []);
    const creates = statement.creates;
    const beforeRetry = creates ? () => this.removePartial(creates) : undefined;
    const signal = this.stopping.signal;
    const run = this.runner.run(statement.sql, { timeoutMs: this.timeoutMs, parameters, signal, beforeRetry }).catch((error: unknown) => {
      // Its own time limit, not the build stopping it: say which setting bounds it (the bare message named no setting).
      throw error instanceof QueryTimeoutError && !signal.aborted ? new BuildStatementTimeoutError(this.timeoutMs, creates?.name, error) : error;
    });
    this.running.add(run);
    const forget = (): void => void this.running.delete(run);
    run.then(forget, forget);
    return run;
  }

  /** A failed CTAS may have created its table and written files; Athena would refuse both on the next attempt. */
  private async removePartial(creates: NonNullable<Statement['creates']>): Promise<void> {
    await this.runner.run(dropTable(creates.database, creates.name).sql, { timeoutMs: this.timeoutMs });
    await this.lake.deletePrefix(creates.location);
  }
}

/** Records statements instead of running them; every SELECT answers with no rows (counts read as 0). */
export class RecordingStatementRunner implements StatementRunner {
  readonly statements: Statement[] = [];

  async execute(statement: Statement): Promise<void> {
    executionParameters(statement.sql, statement.params ?? []);
    this.statements.push(statement);
  }

  async select(statement: Statement): Promise<Row[]> {
    await this.execute(statement);
    return [];
  }

  async stopAll(): Promise<void> {}
}

/** A build statement stopped at STEDI_ATHENA_BUILD_TIMEOUT_MS: still a QueryTimeoutError, with a message naming the setting. */
export class BuildStatementTimeoutError extends QueryTimeoutError {
  constructor(timeoutMs: number, table: string | undefined, cause: unknown) {
    super(timeoutMs, cause);
    const what = table ? `the CTAS of ${table}` : 'an Athena build query';
    this.message = `${what} ran longer than STEDI_ATHENA_BUILD_TIMEOUT_MS (${timeoutMs} ms) and was stopped, so nothing was published: raise STEDI_ATHENA_BUILD_TIMEOUT_MS, or look in the workgroup's query history for queries left queued`;
  }
}

import { randomUUID } from 'node:crypto';
import { type AthenaClient, StartQueryExecutionCommand, type StartQueryExecutionCommandInput, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import { type SdkCall, sendAbandonable } from './aws-call';
import type { Clock } from './clock';
import { watchStart } from './query-start-watch';
import type { QuerySettings } from './query-runner';

// Private: how long a StopQueryExecution may take; stopping is best effort and must not hold up the caller.
const STOP_WAIT_MS = 10_000;

/**
 * Starting and stopping one Athena query, and the calls bounded by its
 * deadline. A start that may have reached Athena but was never answered is
 * asked again with its ClientRequestToken and the query it names stopped,
 * so nothing runs on, billed (query-start-watch.ts says which starts may have).
 */
export class QueryControl {
  constructor(
    private readonly client: AthenaClient,
    private readonly settings: Pick<QuerySettings, 'workgroup' | 'outputLocation' | 'database'>,
    private readonly clock: Clock,
  ) {}

  /** Starts `sql`; returns its QueryExecutionId. */
  async start(sql: string, parameters: string[] | undefined, deadline: number, signal?: AbortSignal): Promise<string> {
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

  /** Best effort: the query may have finished in the meantime; the caller needs to hear its own outcome. */
  async stop(id: string): Promise<void> {
    try {
      const command = new StopQueryExecutionCommand({ QueryExecutionId: id });
      await this.send((o) => this.client.send(command, o), this.clock.now() + STOP_WAIT_MS);
    } catch {
      // Nothing more to do: stopping never fails the caller.
    }
  }

  /** One call, abandoned when `signal` aborts or `deadline` passes (aws-call.ts); no deadline (a result page): only the abort. */
  send<T>(call: SdkCall<T>, deadline: number, signal?: AbortSignal): Promise<T> {
    return sendAbandonable(call, Number.isFinite(deadline) ? deadline - this.clock.now() : Number.POSITIVE_INFINITY, signal);
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
}

import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  InternalServerException,
  InvalidRequestException,
  TooManyRequestsException,
  type WorkGroup,
} from '@aws-sdk/client-athena';
import { BatchDeleteTableVersionCommand, GetTableVersionsCommand, GetTablesCommand, GlueClient, type Table } from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import type { AthenaClients } from '../../etl/engine/athena/athena-engine';
import type { Clock } from '../../etl/engine/athena/clock';
import { FakeS3 } from './fake-s3';

export { FakeS3 };

/**
 * In-memory stand-ins for S3, Athena and Glue behind aws-sdk-client-mock, so
 * the Athena engine runs its real code against them without any network.
 * Athena's answers come from a handler the test supplies (a script, or SQL
 * run on DuckDB, see athena-on-duckdb.ts); results are paged the way Athena
 * pages them (1,000 rows a page, a header row first for a SELECT).
 */

export interface AthenaQuery {
  id: string;
  sql: string;
  parameters?: string[];
  database?: string;
  workgroup?: string;
  outputLocation?: string;
}

/** What the fake Athena does with one query. */
export interface QueryOutcome {
  /** The states GetQueryExecution reports in turn; the last one repeats. Default: RUNNING then SUCCEEDED. */
  states?: ('QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED')[];
  statementType?: 'DML' | 'DDL' | 'UTILITY';
  columns?: { name: string; type: string }[];
  /** Data rows as Athena's text values; null is a NULL (no VarCharValue). */
  rows?: (string | null)[][];
  error?: { category: 1 | 2 | 3; retryable: boolean; reason: string };
  outputLocation?: string;
}

export type AthenaHandler = (query: AthenaQuery) => QueryOutcome | Promise<QueryOutcome>;

export class FakeAthena {
  readonly client = new AthenaClient({ region: 'us-east-1' });
  readonly mock = mockClient(this.client);
  readonly queries: AthenaQuery[] = [];
  readonly stopped: string[] = [];
  /** Throw TooManyRequestsException for the next this-many StartQueryExecution calls. */
  throttleStarts = 0;
  /** Throw TooManyRequestsException for the next this-many GetQueryExecution calls. */
  throttlePolls = 0;
  /** Throw ThrottlingException for the next this-many GetQueryResults calls. */
  throttleResults = 0;
  /** Answer the next this-many calls of each kind HTTP 500 InternalServerException: Athena failing on its side after the SDK's retries. */
  readonly failing = { starts: 0, polls: 0, results: 0 };
  /** The last state each query reported to a poll. */
  readonly lastState = new Map<string, string>();
  /** What GetWorkGroup answers; undefined: the workgroup does not exist. */
  workgroup: WorkGroup | undefined = { Name: 'primary', State: 'ENABLED', Configuration: { ResultConfiguration: { OutputLocation: 's3://results-bucket/athena/' } } };
  private readonly outcomes = new Map<string, { outcome: QueryOutcome; polls: number }>();
  /** ClientRequestToken → the query it started. */
  private readonly tokens = new Map<string, string>();

  constructor(public handler: AthenaHandler = () => ({})) {
    this.mock.on(StartQueryExecutionCommand).callsFake(async (input) => {
      this.failIf('starts');
      if (this.throttleStarts > 0) {
        this.throttleStarts -= 1;
        throw new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
      }
      // Athena's idempotency: a start repeated with a token it has seen answers with that query and starts none.
      const known = input.ClientRequestToken === undefined ? undefined : this.tokens.get(input.ClientRequestToken);
      if (known) return { QueryExecutionId: known };
      const query: AthenaQuery = {
        id: `q-${this.queries.length + 1}`,
        sql: input.QueryString!,
        parameters: input.ExecutionParameters,
        database: input.QueryExecutionContext?.Database,
        workgroup: input.WorkGroup,
        outputLocation: input.ResultConfiguration?.OutputLocation,
      };
      this.queries.push(query);
      if (input.ClientRequestToken !== undefined) this.tokens.set(input.ClientRequestToken, query.id);
      this.outcomes.set(query.id, { outcome: await this.handler(query), polls: 0 });
      return { QueryExecutionId: query.id };
    });
    this.mock.on(GetQueryExecutionCommand).callsFake((input) => {
      this.failIf('polls');
      if (this.throttlePolls > 0) {
        this.throttlePolls -= 1;
        throw new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
      }
      const entry = this.outcomes.get(input.QueryExecutionId!)!;
      const states = entry.outcome.states ?? (entry.outcome.error ? ['RUNNING', 'FAILED'] : ['RUNNING', 'SUCCEEDED']);
      const state = this.stopped.includes(input.QueryExecutionId!) ? 'CANCELLED' : states[Math.min(entry.polls, states.length - 1)];
      this.lastState.set(input.QueryExecutionId!, state);
      entry.polls += 1;
      const error = entry.outcome.error;
      return {
        QueryExecution: {
          QueryExecutionId: input.QueryExecutionId,
          StatementType: entry.outcome.statementType ?? 'DML',
          ResultConfiguration: { OutputLocation: entry.outcome.outputLocation ?? `s3://results-bucket/athena/${input.QueryExecutionId}.csv` },
          Status: {
            State: state,
            ...(state === 'FAILED' && error
              ? { StateChangeReason: error.reason, AthenaError: { ErrorCategory: error.category, ErrorType: 1000, Retryable: error.retryable, ErrorMessage: error.reason } }
              : {}),
          },
        },
      };
    });
    this.mock.on(GetQueryResultsCommand).callsFake((input) => {
      this.failIf('results');
      if (this.throttleResults > 0) {
        this.throttleResults -= 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      }
      const { outcome } = this.outcomes.get(input.QueryExecutionId!)!;
      return resultPage(outcome, input.NextToken, input.MaxResults ?? 1000);
    });
    this.mock.on(StopQueryExecutionCommand).callsFake((input) => {
      this.stopped.push(input.QueryExecutionId!);
      return {};
    });
    this.mock.on(GetWorkGroupCommand).callsFake((input) => {
      if (!this.workgroup || this.workgroup.Name !== input.WorkGroup) {
        throw new InvalidRequestException({ message: `WorkGroup ${input.WorkGroup} is not found.`, $metadata: { httpStatusCode: 400 } });
      }
      return { WorkGroup: this.workgroup };
    });
  }

  private failIf(call: keyof FakeAthena['failing']): void {
    if (this.failing[call] <= 0) return;
    this.failing[call] -= 1;
    throw new InternalServerException({ message: 'We encountered an internal error. Please try again.', $metadata: { httpStatusCode: 500, requestId: `athena-request-${call}` } });
  }

  /** Queries started but neither seen to end by a poll nor stopped: what a build must never leave behind. */
  get unfinished(): string[] {
    return this.queries.map((q) => q.id).filter((id) => !this.stopped.includes(id) && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(this.lastState.get(id) ?? ''));
  }

  /** The SQL of every query so far. */
  get statements(): string[] {
    return this.queries.map((q) => q.sql);
  }
}

function resultPage(outcome: QueryOutcome, token: string | undefined, max: number) {
  const columns = outcome.columns ?? [];
  const header = (outcome.statementType ?? 'DML') === 'DML' ? [columns.map((c) => c.name)] : [];
  const all = [...header, ...(outcome.rows ?? [])];
  const start = token ? Number(token) : 0;
  const page = all.slice(start, start + max);
  const next = start + max < all.length ? String(start + max) : undefined;
  return {
    NextToken: next,
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type })) },
      Rows: page.map((values) => ({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) })),
    },
  };
}

export class FakeGlue {
  readonly client = new GlueClient({ region: 'us-east-1' });
  readonly mock = mockClient(this.client);
  /** Table name → its version ids. */
  readonly versions = new Map<string, string[]>();
  /** What GetTables lists (the database's tables and views); undefined: the database does not exist. */
  tables: Table[] | undefined = [];

  constructor() {
    this.mock.on(GetTablesCommand).callsFake(() => {
      if (!this.tables) throw Object.assign(new Error('Database stedi not found.'), { name: 'EntityNotFoundException' });
      return { TableList: this.tables };
    });
    this.mock.on(GetTableVersionsCommand).callsFake((input) => ({ TableVersions: (this.versions.get(input.TableName!) ?? []).map((VersionId) => ({ VersionId })) }));
    this.mock.on(BatchDeleteTableVersionCommand).callsFake((input) => {
      const gone = new Set(input.VersionIds);
      this.versions.set(input.TableName!, (this.versions.get(input.TableName!) ?? []).filter((v) => !gone.has(v)));
      return { Errors: [] };
    });
  }
}

/** A clock whose sleeps pass instantly, recording how long each would have been. */
export class FakeClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

export interface FakeAws {
  s3: FakeS3;
  athena: FakeAthena;
  glue: FakeGlue;
  clock: FakeClock;
  clients: AthenaClients;
}

export function fakeAws(handler?: AthenaHandler): FakeAws {
  const s3 = new FakeS3();
  const athena = new FakeAthena(handler);
  const glue = new FakeGlue();
  const clock = new FakeClock();
  return { s3, athena, glue, clock, clients: { athena: athena.client, s3: s3.client, glue: glue.client, clock } };
}

import { EngineBusyError, EngineUnreachableError, QueryTimeoutError } from '../../../../etl/engine/engine-errors';
import { AthenaQueryError } from '../../../../etl/engine/athena/athena-errors';
import { systemClock } from '../../../../etl/engine/athena/clock';
import { AthenaQueryRunner } from '../../../../etl/engine/athena/query-runner';
import { FakeAthena, FakeClock, type QueryOutcome } from '../../../helpers/fake-aws';
import { GetQueryExecutionCommand, StartQueryExecutionCommand, TooManyRequestsException } from '@aws-sdk/client-athena';

const SETTINGS = { workgroup: 'analytics', outputLocation: 's3://results-bucket/athena/', database: 'stedi', pollMinMs: 100, pollMaxMs: 1_000, maxRetries: 2 };

function setup(outcome: QueryOutcome | ((n: number) => QueryOutcome)) {
  let n = 0;
  const athena = new FakeAthena(() => (typeof outcome === 'function' ? outcome(n++) : outcome));
  const clock = new FakeClock();
  return { athena, clock, runner: new AthenaQueryRunner(athena.client, SETTINGS, clock) };
}

describe('running one Athena query', () => {
  it('starts the query in the workgroup, output location and database, and returns once it SUCCEEDS', async () => {
    const { athena, runner } = setup({ states: ['QUEUED', 'QUEUED', 'RUNNING', 'SUCCEEDED'] });
    const execution = await runner.run('SELECT 1', { timeoutMs: 60_000, parameters: ["'any'"] });
    expect(execution.Status?.State).toBe('SUCCEEDED');
    expect(athena.queries).toEqual([
      { id: 'q-1', sql: 'SELECT 1', parameters: ["'any'"], database: 'stedi', workgroup: 'analytics', outputLocation: 's3://results-bucket/athena/' },
    ]);
    expect(athena.mock.commandCalls(GetQueryExecutionCommand)).toHaveLength(4);
  });

  it('polls with exponential backoff capped at the maximum interval', async () => {
    const { clock, runner } = setup({ states: ['QUEUED', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED'] });
    await runner.run('SELECT 1', { timeoutMs: 60_000 });
    expect(clock.sleeps).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('raises a FAILED query with Athena’s reason and error category, and does not retry a USER error', async () => {
    const { athena, runner } = setup({ error: { category: 2, retryable: false, reason: "line 1:8: Column 'nope' cannot be resolved" } });
    const failure = runner.run('SELECT nope', { timeoutMs: 60_000 });
    await expect(failure).rejects.toThrow(AthenaQueryError);
    await expect(failure).rejects.toThrow("Athena query q-1 failed (USER error 1000): line 1:8: Column 'nope' cannot be resolved");
    expect(athena.mock.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('raises a query CANCELLED by someone else without retrying it', async () => {
    const { athena, runner } = setup({ states: ['RUNNING', 'CANCELLED'] });
    await expect(runner.run('SELECT 1', { timeoutMs: 60_000 })).rejects.toThrow(/q-1 was cancelled/);
    expect(athena.queries).toHaveLength(1);
  });

  it('retries a query Athena marks Retryable, as a new query', async () => {
    const { athena, runner } = setup((n) => (n === 0 ? { error: { category: 1, retryable: true, reason: 'S3 Slow Down' } } : {}));
    await expect(runner.run('SELECT 1', { timeoutMs: 60_000 })).resolves.toMatchObject({ QueryExecutionId: 'q-2' });
    expect(athena.queries.map((q) => q.id)).toEqual(['q-1', 'q-2']);
    // A new query, so a new request token: the first one would name the failed query again.
    const tokens = athena.mock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(new Set(tokens).size).toBe(2);
  });

  it('retries a throttled StartQueryExecution, a bounded number of times, then says the engine is busy', async () => {
    const ok = setup({});
    ok.athena.throttleStarts = 2;
    await expect(ok.runner.run('SELECT 1', { timeoutMs: 60_000 })).resolves.toMatchObject({ Status: { State: 'SUCCEEDED' } });
    expect(ok.athena.mock.commandCalls(StartQueryExecutionCommand)).toHaveLength(3);

    const throttled = setup({});
    throttled.athena.throttleStarts = 10;
    const refused = throttled.runner.run('SELECT 1', { timeoutMs: 60_000 });
    await expect(refused).rejects.toBeInstanceOf(EngineBusyError);
    await expect(refused).rejects.toHaveProperty('cause', expect.any(TooManyRequestsException));
    expect(throttled.athena.mock.commandCalls(StartQueryExecutionCommand)).toHaveLength(1 + SETTINGS.maxRetries);
  });

  it('says the engine cannot be reached, with the fix, when a start or a poll never reaches AWS', async () => {
    const timedOut = Object.assign(new Error('the request socket timed out after 300 ms of inactivity'), { name: 'TimeoutError' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    for (const [command, error] of [['start', timedOut], ['poll', refused]] as const) {
      const { athena, runner } = setup({});
      if (command === 'start') athena.mock.on(StartQueryExecutionCommand).rejects(error);
      else athena.mock.on(GetQueryExecutionCommand).rejects(error);
      const failure = runner.run('SELECT 1', { timeoutMs: 60_000 });
      await expect(failure).rejects.toBeInstanceOf(EngineUnreachableError);
      await expect(failure).rejects.toThrow(/^cannot run the Athena query \((TimeoutError|error): .*\): AWS could not be reached \(the network, a proxy or a firewall, or a misspelt AWS_REGION\)/);
      await expect(failure).rejects.toHaveProperty('cause', error);
    }
  });

  it('asks a start whose answer was lost again with its token, to stop what it started, but not one that was never sent, when the client\u2019s steps cannot be watched', async () => {
    const lost = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    for (const [error, starts] of [[lost, 2], [refused, 1]] as const) {
      const { athena, runner } = setup({});
      athena.mock.on(StartQueryExecutionCommand).rejectsOnce(error).resolves({ QueryExecutionId: 'q-7' });
      await expect(runner.run('SELECT 1', { timeoutMs: 60_000 })).rejects.toBeInstanceOf(EngineUnreachableError);
      const calls = athena.mock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
      expect(calls).toHaveLength(starts);
      expect(new Set(calls).size).toBe(1);
      expect(athena.stopped).toEqual(starts === 2 ? ['q-7'] : []);
    }
  });

  it('keeps polling the same query when a poll is throttled', async () => {
    const { athena, runner } = setup({ states: ['RUNNING', 'SUCCEEDED'] });
    athena.mock.on(GetQueryExecutionCommand).rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} })).callsFake(() => ({
      QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' } },
    }));
    await expect(runner.run('SELECT 1', { timeoutMs: 60_000 })).resolves.toMatchObject({ QueryExecutionId: 'q-1' });
    expect(athena.queries).toHaveLength(1);
  });

  it('keeps polling the same execution id however often polls are throttled, never starting it again', async () => {
    const { athena, runner } = setup({ states: ['RUNNING', 'RUNNING', 'SUCCEEDED'] });
    athena.throttlePolls = SETTINGS.maxRetries + 5;
    await expect(runner.run('SELECT 1', { timeoutMs: 600_000 })).resolves.toMatchObject({ QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' } });
    expect(athena.mock.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
    const polled = athena.mock.commandCalls(GetQueryExecutionCommand).map((c) => c.args[0].input.QueryExecutionId);
    expect(polled).toEqual(Array(SETTINGS.maxRetries + 5 + 3).fill('q-1'));
    expect(athena.stopped).toEqual([]);
  });

  it('stops a query whose polls stay throttled past its time limit', async () => {
    const { athena, runner } = setup({ states: ['RUNNING'] });
    athena.throttlePolls = 1_000;
    await expect(runner.run('SELECT 1', { timeoutMs: 5_000 })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(athena.queries).toHaveLength(1);
    expect(athena.stopped).toEqual(['q-1']);
  });

  it('stops the query when a poll fails for good, so it is not left running', async () => {
    const { athena, runner } = setup({ states: ['RUNNING'] });
    athena.mock.on(GetQueryExecutionCommand).rejects(Object.assign(new Error('Access denied'), { name: 'AccessDeniedException' }));
    await expect(runner.run('SELECT 1', { timeoutMs: 60_000 })).rejects.toThrow('Access denied');
    expect(athena.queries).toHaveLength(1);
    expect(athena.stopped).toEqual(['q-1']);
  });

  it('runs the retry hook before starting a failed query again, not before retrying a throttled start', async () => {
    const { athena, runner } = setup((n) => (n === 0 ? { error: { category: 1, retryable: true, reason: 'S3 Slow Down' } } : {}));
    athena.throttleStarts = 1;
    const hooks: number[] = [];
    await runner.run('SELECT 1', { timeoutMs: 60_000, beforeRetry: async () => void hooks.push(athena.queries.length) });
    expect(hooks).toEqual([1]);
    expect(athena.queries).toHaveLength(2);
  });

  it('stops a query that runs past its time limit and raises QueryTimeoutError', async () => {
    const { athena, runner } = setup({ states: ['RUNNING'] });
    const timedOut = runner.run('SELECT slow', { timeoutMs: 5_000 });
    await expect(timedOut).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(timedOut).rejects.toThrow('the query was cancelled after 5000 ms');
    expect(athena.stopped).toEqual(['q-1']);
  });

  it('stops the query when the caller aborts', async () => {
    const { athena, runner, clock } = setup({ states: ['RUNNING'] });
    const controller = new AbortController();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = async (ms) => {
      await sleep(ms);
      if (clock.sleeps.length === 3) controller.abort(new Error('client went away'));
    };
    await expect(runner.run('SELECT slow', { timeoutMs: 60_000, signal: controller.signal })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(athena.stopped).toEqual(['q-1']);
  });

  it('does not start a query for a request that was already aborted', async () => {
    const { athena, runner } = setup({});
    const controller = new AbortController();
    controller.abort();
    await expect(runner.run('SELECT 1', { timeoutMs: 60_000, signal: controller.signal })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(athena.queries).toHaveLength(0);
  });

  it('on the system clock, lets a query within its time limit finish when the wall clock steps an hour forward while it runs (NTP)', async () => {
    const wall = Date.now.bind(Date);
    let stepped: jest.SpyInstance | undefined;
    // The step comes once the query has started, as the runner has taken its deadline.
    const athena = new FakeAthena(() => {
      stepped = jest.spyOn(Date, 'now').mockImplementation(() => wall() + 3_600_000);
      return { states: ['RUNNING', 'SUCCEEDED'] };
    });
    const runner = new AthenaQueryRunner(athena.client, { ...SETTINGS, pollMinMs: 1, pollMaxMs: 1 }, systemClock);
    try {
      await expect(runner.run('SELECT 1', { timeoutMs: 60_000 })).resolves.toMatchObject({ Status: { State: 'SUCCEEDED' } });
      expect(stepped).toBeDefined();
      expect(athena.stopped).toEqual([]);
    } finally {
      stepped?.mockRestore();
    }
  });
});

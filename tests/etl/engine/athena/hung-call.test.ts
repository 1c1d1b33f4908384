import { Readable } from 'node:stream';
import { AthenaClient } from '@aws-sdk/client-athena';
import { readResultRows } from '../../../../etl/engine/athena/results';
import { systemClock } from '../../../../etl/engine/athena/clock';
import { AthenaQueryRunner } from '../../../../etl/engine/athena/query-runner';
import { EngineUnreachableError, QueryTimeoutError } from '../../../../etl/engine/engine-errors';

/**
 * A call to Athena whose connection goes silent (a proxy, a NAT timeout, a
 * network black hole) is only given up by the SDK after its socket timeout,
 * 15 minutes by default. The runner must not wait that long: the call is
 * abandoned when the caller aborts (the API request ended) or the query's time
 * limit passes, and the query it was about is stopped. The real SDK runs here,
 * over a request handler that answers StartQueryExecution and StopQueryExecution
 * and never answers a poll.
 */

const SETTINGS = { workgroup: 'primary', database: 'stedi', pollMinMs: 1, pollMaxMs: 1, maxRetries: 2 };

function silentPolls(onHung: () => void = () => undefined, resultsHang = false) {
  const targets: string[] = [];
  const answer = (body: object) => ({
    response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(JSON.stringify(body))]) },
  });
  const requestHandler = {
    handle: (request: { headers: Record<string, string> }, options: { abortSignal?: AbortSignal } = {}) => {
      const target = (request.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '');
      targets.push(target);
      if (target === 'StartQueryExecution') return Promise.resolve(answer({ QueryExecutionId: 'q-1' }));
      if (target === 'StopQueryExecution') return Promise.resolve(answer({}));
      if (target === 'GetQueryExecution' && resultsHang) return Promise.resolve(answer({ QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' } } }));
      // A poll: no answer, ever; only an abort ends it, as the SDK's own handler ends a request.
      return hungUntilAborted(options.abortSignal, onHung);
    },
  };
  const client = new AthenaClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, requestHandler, maxAttempts: 1 });
  return { client, targets };
}

describe('an Athena call that never answers', () => {
  it('is abandoned when the caller aborts, and the query is stopped', async () => {
    const caller = new AbortController();
    const { client, targets } = silentPolls(() => caller.abort(new Error('the client went away')));
    const runner = new AthenaQueryRunner(client, SETTINGS, systemClock);
    await expect(runner.run('SELECT 1', { timeoutMs: 3_600_000, signal: caller.signal })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(targets).toEqual(['StartQueryExecution', 'GetQueryExecution', 'StopQueryExecution']);
    client.destroy();
  });

  it('is abandoned at the query’s time limit, and the query is stopped', async () => {
    const { client, targets } = silentPolls();
    const runner = new AthenaQueryRunner(client, SETTINGS, systemClock);
    const timedOut = runner.run('SELECT 1', { timeoutMs: 50 });
    await expect(timedOut).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(timedOut).rejects.toMatchObject({ timeoutMs: 50 });
    expect(targets).toEqual(['StartQueryExecution', 'GetQueryExecution', 'StopQueryExecution']);
    client.destroy();
  });

  it('is a QueryTimeoutError when the timer abandoning it fires before the clock reads the time limit, and the query is stopped', async () => {
    // Node's timers count whole milliseconds from the loop's cached time, so one may fire a little before
    // performance.now() reaches the deadline: here the runner's clock runs at half speed, so it always does.
    const slowClock = { now: () => performance.now() / 2, sleep: systemClock.sleep };
    const start = silentPolls();
    const runner = new AthenaQueryRunner(start.client, SETTINGS, slowClock);
    const timedOut = runner.run('SELECT 1', { timeoutMs: 50 });
    await expect(timedOut).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(timedOut).rejects.toMatchObject({ timeoutMs: 50 });
    expect(start.targets).toEqual(['StartQueryExecution', 'GetQueryExecution', 'StopQueryExecution']);
    start.client.destroy();
  });

  it('is abandoned when the caller aborts while a finished query\u2019s result page is read', async () => {
    // The query succeeds; its GetQueryResults page never answers (the SDK gives up only at its socket timeout).
    const caller = new AbortController();
    const { client, targets } = silentPolls(() => caller.abort(new Error('the client went away')), true);
    const runner = new AthenaQueryRunner(client, SETTINGS, systemClock);
    const execution = await runner.run('SELECT 1', { timeoutMs: 3_600_000, signal: caller.signal });
    const read = readResultRows(client, execution, { call: (send) => runner.retryThrottled(send, caller.signal) });
    await expect(read).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(targets).toEqual(['StartQueryExecution', 'GetQueryExecution', 'GetQueryResults']);
    client.destroy();
  });
});

/** Athena over a handler that starts each query but never answers the first start (Athena took it; the answer was lost). */
function unansweredStarts(onHung: () => void = () => undefined, refuse = false) {
  return athenaStarting((token, started, signal) => {
    if (refuse) return answer({ __type: 'InvalidRequestException', Message: 'line 1:1: mismatched input' }, 400, { 'x-amzn-errortype': 'InvalidRequestException' });
    const known = started.get(token);
    if (known) return answer({ QueryExecutionId: known });
    started.set(token, `q-${started.size + 1}`);
    return hungUntilAborted(signal, onHung);
  });
}

describe('a query start that Athena took but never answered', () => {
  it('is found by its request token and stopped when the query’s time limit passes', async () => {
    const athena = unansweredStarts();
    const runner = new AthenaQueryRunner(athena.client, SETTINGS, systemClock);
    await expect(runner.run('SELECT 1', { timeoutMs: 50 })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(athena.targets).toEqual(['StartQueryExecution', 'StartQueryExecution', 'StopQueryExecution']);
    // The same token both times: Athena answered the second with the query the first started, and started no other.
    expect(new Set(athena.tokens).size).toBe(1);
    expect(athena.tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(athena.started.size).toBe(1);
    expect(athena.stopped).toEqual(['q-1']);
    athena.client.destroy();
  });

  it('is found by its request token and stopped when the caller aborts', async () => {
    const caller = new AbortController();
    const athena = unansweredStarts(() => caller.abort(new Error('the client went away')));
    const runner = new AthenaQueryRunner(athena.client, SETTINGS, systemClock);
    await expect(runner.run('SELECT 1', { timeoutMs: 3_600_000, signal: caller.signal })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(athena.stopped).toEqual(['q-1']);
    expect(athena.started.size).toBe(1);
    athena.client.destroy();
  });

  it('is not asked again when Athena refused it: nothing was started', async () => {
    const athena = unansweredStarts(undefined, true);
    const runner = new AthenaQueryRunner(athena.client, SETTINGS, systemClock);
    await expect(runner.run('SELEC 1', { timeoutMs: 60_000 })).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect(athena.targets).toEqual(['StartQueryExecution']);
    athena.client.destroy();
  });
});

describe('asking a start again by its token, to stop what it may have started', () => {
  it('asks a start cut off after it was sent again with the same token, and stops the query it names', async () => {
    const athena = startsFailing([Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })]);
    const runner = new AthenaQueryRunner(athena.client, SETTINGS, systemClock);
    await expect(runner.run('SELECT 1', { timeoutMs: 60_000 })).rejects.toBeInstanceOf(EngineUnreachableError);
    expect(athena.targets).toEqual(['StartQueryExecution', 'StartQueryExecution', 'StopQueryExecution']);
    expect(new Set(athena.tokens).size).toBe(1);
    expect(athena.stopped).toEqual(['q-1']);
    athena.client.destroy();
  });

  it('does not ask again a start whose connection was refused: nothing reached Athena', async () => {
    const athena = startsFailing([Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })]);
    const runner = new AthenaQueryRunner(athena.client, SETTINGS, systemClock);
    await expect(runner.run('SELECT 1', { timeoutMs: 60_000 })).rejects.toBeInstanceOf(EngineUnreachableError);
    expect(athena.targets).toEqual(['StartQueryExecution']);
    expect(athena.stopped).toEqual([]);
    athena.client.destroy();
  });

  it('does not send a start abandoned while the credentials were still being resolved, nor ask it again', async () => {
    const caller = new AbortController();
    const athena = startsFailing([], () => {
      caller.abort(new Error('the client went away'));
      return new Promise(() => undefined);
    });
    const runner = new AthenaQueryRunner(athena.client, SETTINGS, systemClock);
    await expect(runner.run('SELECT 1', { timeoutMs: 3_600_000, signal: caller.signal })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(athena.targets).toEqual([]);
    athena.client.destroy();
  });

  it('does not ask again a start Athena throttled when the caller gave up before the SDK tried it again', async () => {
    const caller = new AbortController();
    const throttled = { status: 400, type: 'TooManyRequestsException', message: 'Rate exceeded' };
    const athena = startsFailing([throttled], undefined, 3, () => caller.abort(new Error('the client went away')));
    const runner = new AthenaQueryRunner(athena.client, SETTINGS, systemClock);
    await expect(runner.run('SELECT 1', { timeoutMs: 3_600_000, signal: caller.signal })).rejects.toBeInstanceOf(QueryTimeoutError);
    // The SDK's retry was handed over after the abort and refused unsent; the only attempt sent was refused by Athena.
    expect(athena.targets.filter((t) => t === 'StartQueryExecution').length).toBeLessThanOrEqual(1);
    expect(athena.stopped).toEqual([]);
    athena.client.destroy();
  });
});

/**
 * Athena whose starts fail in turn as `failures` says (a thrown network error, or an HTTP refusal), then
 * start the query (or name the one a token started); `credentials` replaces the static credentials.
 */
function startsFailing(
  failures: Array<Error | { status: number; type: string; message: string }>,
  credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string }>,
  maxAttempts = 1,
  onRefused: () => void = () => undefined,
) {
  return athenaStarting(
    (token, started) => {
      const failure = failures.shift();
      if (failure && !(failure instanceof Error)) {
        onRefused();
        return answer({ __type: failure.type, Message: failure.message }, failure.status, { 'x-amzn-errortype': failure.type });
      }
      const id = started.get(token) ?? `q-${started.size + 1}`;
      started.set(token, id);
      if (failure) throw failure;
      return answer({ QueryExecutionId: id });
    },
    // As the SDK's own handler: a request whose signal aborted is refused before anything is sent.
    { credentials, maxAttempts, refuseAborted: true },
  );
}

const answer = (body: object, statusCode = 200, headers: Record<string, string> = {}) => ({
  response: { statusCode, headers: { 'content-type': 'application/x-amz-json-1.1', ...headers }, body: Readable.from([Buffer.from(JSON.stringify(body))]) },
});

/**
 * Athena over a request handler that records every call and each start's token, answers stops, and answers each
 * start as `start` says (`started`: the query each token started).
 */
function athenaStarting(
  start: (token: string, started: Map<string, string>, signal?: AbortSignal) => ReturnType<typeof answer> | Promise<ReturnType<typeof answer>>,
  options: { credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string }>; maxAttempts?: number; refuseAborted?: boolean } = {},
) {
  const targets: string[] = [];
  const tokens: string[] = [];
  const stopped: string[] = [];
  const started = new Map<string, string>();
  const requestHandler = {
    handle: async (request: { headers: Record<string, string>; body?: string | Uint8Array }, { abortSignal }: { abortSignal?: AbortSignal } = {}) => {
      if (options.refuseAborted && abortSignal?.aborted) throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
      const target = (request.headers['x-amz-target'] ?? '').replace('AmazonAthena.', '');
      targets.push(target);
      const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body ?? new Uint8Array());
      const input = JSON.parse(text || '{}') as { ClientRequestToken?: string; QueryExecutionId?: string };
      if (target === 'StopQueryExecution') {
        stopped.push(input.QueryExecutionId ?? '');
        return answer({});
      }
      const token = input.ClientRequestToken ?? '';
      tokens.push(token);
      return start(token, started, abortSignal);
    },
  };
  const credentials = options.credentials ?? { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  const client = new AthenaClient({ region: 'us-east-1', credentials, requestHandler, maxAttempts: options.maxAttempts ?? 1 });
  return { client, targets, tokens, stopped, started };
}

/** A request that never answers: only an abort ends it, as the SDK's own handler ends a request. */
function hungUntilAborted(signal: AbortSignal | undefined, onHung: () => void): Promise<never> {
  return new Promise((_resolve, reject) => {
    const abort = (): void => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort, { once: true });
    onHung();
  });
}

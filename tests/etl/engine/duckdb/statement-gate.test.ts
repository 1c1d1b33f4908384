import { isOutOfMemory, StatementGate } from '../../../../etl/engine/duckdb/statement-gate';

const OOM = 'Out of Memory Error: could not allocate block of size 256.0 KiB (572.3 MiB/572.2 MiB used)';

/** A promise with its resolve, to hold a statement open until the test lets it finish. */
function held(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a build statement that runs out of DuckDB memory beside others', () => {
  it('recognises DuckDB out-of-memory errors and nothing else', () => {
    expect(isOutOfMemory(new Error(OOM))).toBe(true);
    expect(isOutOfMemory(new Error('IO Error: failed to pin block 12'))).toBe(true);
    expect(isOutOfMemory(new Error('Binder Error: column "x" not found'))).toBe(false);
    expect(isOutOfMemory(OOM)).toBe(false);
  });

  it('runs again once the statements beside it are done, and none starts before it ends', async () => {
    const gate = new StatementGate();
    const events: string[] = [];
    const beside = held();
    const other = gate.run(async () => {
      events.push('beside started');
      await beside.promise;
      events.push('beside ended');
    }, false);
    let attempts = 0;
    const failing = gate.run(async () => {
      attempts += 1;
      events.push(`attempt ${attempts}`);
      if (attempts === 1) throw new Error(OOM);
      await turn();
      events.push('retry ended');
      return 'rows';
    }, true);
    await turn();
    // The retry waits for the statement beside it; a statement asked for now waits for the retry.
    const later = gate.run(async () => void events.push('later ran'), false);
    await turn();
    expect(events).toEqual(['beside started', 'attempt 1']);
    beside.release();
    await expect(failing).resolves.toBe('rows');
    await Promise.all([other, later]);
    expect(events).toEqual(['beside started', 'attempt 1', 'beside ended', 'attempt 2', 'retry ended', 'later ran']);
  });

  it('throws a second out-of-memory failure as it is', async () => {
    const gate = new StatementGate();
    let attempts = 0;
    const failing = gate.run(async () => {
      attempts += 1;
      throw new Error(OOM);
    }, true);
    await expect(failing).rejects.toThrow(OOM);
    expect(attempts).toBe(2);
  });

  it('never runs again a statement that is not retryable, or that failed for another reason', async () => {
    const gate = new StatementGate();
    let attempts = 0;
    const failWith = (message: string) => async (): Promise<never> => {
      attempts += 1;
      throw new Error(message);
    };
    await expect(gate.run(failWith(OOM), false)).rejects.toThrow(OOM);
    await expect(gate.run(failWith('Parser Error: syntax error'), true)).rejects.toThrow('Parser Error');
    expect(attempts).toBe(2);
  });

  it('runs two out-of-memory retries one after the other', async () => {
    const gate = new StatementGate();
    const running: number[] = [];
    let now = 0;
    const statement = (): (() => Promise<void>) => {
      let attempts = 0;
      return async () => {
        attempts += 1;
        if (attempts === 1) throw new Error(OOM);
        now += 1;
        running.push(now);
        await turn();
        now -= 1;
      };
    };
    await Promise.all([gate.run(statement(), true), gate.run(statement(), true)]);
    expect(running).toEqual([1, 1]);
  });
});

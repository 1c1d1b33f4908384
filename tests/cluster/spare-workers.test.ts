import { SpareWorkers, busyEvery } from '../../src/cluster/spare-workers';

/** The primary's spare workers (STEDI_SPARE_WORKER_IDLE_MS), on a clock the test moves. */

function harness(idleMs: number, startResults: Array<'ok' | 'fail'> = []) {
  let now = 1_000;
  const calls: string[] = [];
  const spares = new SpareWorkers(
    idleMs,
    {
      start: async () => {
        calls.push('start');
        if (startResults.shift() === 'fail') throw new Error('no fork');
      },
      stop: () => void calls.push('stop'),
    },
    () => void calls.push('failed'),
    () => now,
  );
  const advance = async (ms: number): Promise<void> => {
    now += ms;
    await jest.advanceTimersByTimeAsync(ms);
  };
  return { spares, calls, advance };
}

describe('spare workers started by a request for data or load', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts the spares once for loads reported while they start, stops them after the quiet spell, and starts them again with the next request', async () => {
    const { spares, calls, advance } = harness(10_000);
    spares.busy();
    spares.busy();
    await advance(0);
    spares.busy();
    expect(calls).toEqual(['start']);
    expect(spares.status).toBe('running');
    await advance(6_000);
    spares.busy();
    await advance(9_000);
    expect(calls).toEqual(['start']);
    await advance(1_000);
    expect(calls).toEqual(['start', 'stop']);
    expect(spares.status).toBe('stopped');
    spares.busy();
    await advance(0);
    expect(calls).toEqual(['start', 'stop', 'start']);
  });

  it('does not start the spares for requests that neither ask for data nor load, but those requests keep running spares running', async () => {
    const { spares, calls, advance } = harness(10_000);
    spares.busy(false);
    await advance(0);
    expect(calls).toEqual([]);
    expect(spares.status).toBe('stopped');
    spares.busy(true);
    await advance(0);
    expect(calls).toEqual(['start']);
    await advance(8_000);
    spares.busy(false);
    await advance(8_000);
    expect(calls).toEqual(['start']);
    await advance(2_000);
    expect(calls).toEqual(['start', 'stop']);
    spares.busy(false);
    await advance(0);
    expect(calls).toEqual(['start', 'stop']);
  });

  it('reports a start that failed and tries again with the next request', async () => {
    const { spares, calls, advance } = harness(1_000, ['fail']);
    spares.busy();
    await advance(0);
    expect(spares.status).toBe('stopped');
    spares.busy();
    await advance(0);
    expect(calls).toEqual(['start', 'failed', 'start']);
    expect(spares.status).toBe('running');
  });

  it('stops nothing once closed', async () => {
    const { spares, calls, advance } = harness(1_000);
    spares.busy();
    await advance(0);
    spares.close();
    await advance(5_000);
    spares.busy();
    expect(calls).toEqual(['start']);
  });

  it('has workers report at most every quarter of the quiet spell, and at most every 5 s', () => {
    expect(busyEvery(2_000)).toBe(500);
    expect(busyEvery(600_000)).toBe(5_000);
  });

  it('on its own clock, stops the spares after the quiet spell when the wall clock steps back an hour, and keeps them while requests come when it steps forward', async () => {
    const calls: string[] = [];
    const spares = new SpareWorkers(10_000, { start: async () => void calls.push('start'), stop: () => void calls.push('stop') });
    spares.busy();
    await jest.advanceTimersByTimeAsync(0);
    // NTP correcting a fast clock, then a laptop waking: Date jumps, the time that passes does not.
    jest.setSystemTime(Date.now() - 3_600_000);
    await jest.advanceTimersByTimeAsync(6_000);
    spares.busy(false);
    jest.setSystemTime(Date.now() + 7_200_000);
    await jest.advanceTimersByTimeAsync(6_000);
    expect(calls).toEqual(['start']);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(calls).toEqual(['start', 'stop']);
    spares.close();
  });
});

import { WorkerWatchdog } from '../../src/cluster/worker-watchdog';

/** The primary's watch for a worker that stops answering (STEDI_WORKER_HANG_MS), on a clock the test moves. */

function harness(hangMs: number) {
  let now = 1_000;
  const pings: string[] = [];
  const hung: Array<[string, number]> = [];
  const watchdog = new WorkerWatchdog<string>(hangMs, (w) => void pings.push(w), (w, silent) => void hung.push([w, silent]), () => now);
  const advance = async (ms: number, step = ms): Promise<void> => {
    for (let done = 0; done < ms; done += step) {
      now += step;
      await jest.advanceTimersByTimeAsync(step);
    }
  };
  return { watchdog, pings, hung, advance, jump: (ms: number) => void (now += ms) };
}

describe('a cluster worker that stops answering', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('is reported once it has not answered for hangMs, while a worker that answers every ping never is', async () => {
    const { watchdog, pings, hung, advance } = harness(4_000);
    watchdog.watch('a');
    watchdog.watch('b');
    for (let i = 0; i < 6; i += 1) {
      await advance(1_000);
      watchdog.answered('a');
    }
    expect(hung).toEqual([['b', 5_000]]);
    expect(pings.filter((p) => p === 'a')).toHaveLength(6);
    // Reported once: no longer pinged or reported.
    for (let i = 0; i < 10; i += 1) {
      await advance(1_000);
      watchdog.answered('a');
    }
    expect(hung).toHaveLength(1);
    expect(pings.filter((p) => p === 'b')).toHaveLength(4);
  });

  it('never reports a worker it was told to forget, nor anything when hangMs is 0', async () => {
    const { watchdog, hung, pings, advance } = harness(4_000);
    watchdog.watch('a');
    watchdog.forget('a');
    await advance(20_000, 1_000);
    expect(hung).toEqual([]);
    const off = harness(0);
    off.watchdog.watch('a');
    await off.advance(20_000, 1_000);
    expect(off.hung).toEqual([]);
    expect(off.pings).toEqual([]);
    expect(pings).toEqual([]);
  });

  it('judges nobody on the turn after the primary itself was held up: the answers it has not read yet would clear them', async () => {
    const { watchdog, hung, advance, jump } = harness(4_000);
    watchdog.watch('a');
    await advance(1_000);
    watchdog.answered('a');
    // The primary was stopped for a minute: its timer fires late, before the worker's waiting answer is read.
    jump(60_000);
    await advance(1_000);
    expect(hung).toEqual([]);
    watchdog.answered('a');
    await advance(3_000, 1_000);
    expect(hung).toEqual([]);
    // Silent from then on: reported after hangMs.
    await advance(3_000, 1_000);
    expect(hung.map(([w]) => w)).toEqual(['a']);
  });
  it('on its own clock, still reports a silent worker after hangMs when the wall clock steps back an hour', async () => {
    const hung: string[] = [];
    const watchdog = new WorkerWatchdog<string>(4_000, () => undefined, (w) => void hung.push(w));
    watchdog.watch('a');
    await jest.advanceTimersByTimeAsync(1_000);
    // NTP correcting a clock that ran fast: Date goes back, the time that passes does not.
    jest.setSystemTime(Date.now() - 3_600_000);
    for (let i = 0; i < 5; i += 1) await jest.advanceTimersByTimeAsync(1_000);
    expect(hung).toEqual(['a']);
    watchdog.close();
  });
});

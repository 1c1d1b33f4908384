import { SingleFlight } from '../src/single-flight';

describe('a single-flight run', () => {
  /** Work that waits until told to settle, counting how often it started. */
  const gated = () => {
    let starts = 0;
    const settles: Array<{ resolve: (value: number) => void; reject: (error: unknown) => void }> = [];
    const work = () => {
      starts += 1;
      return new Promise<number>((resolve, reject) => settles.push({ resolve, reject }));
    };
    return { work, starts: () => starts, settle: (i: number) => settles[i] };
  };

  it('shares the run under way with every caller, and starts another once it has settled', async () => {
    const g = gated();
    const flight = new SingleFlight(g.work);
    const first = flight.run();
    const second = flight.run();
    expect(second).toBe(first);
    expect(g.starts()).toBe(1);
    g.settle(0).resolve(7);
    await expect(second).resolves.toBe(7);
    const third = flight.run();
    expect(g.starts()).toBe(2);
    g.settle(1).resolve(8);
    await expect(third).resolves.toBe(8);
  });

  it('remembers why the last run failed, a thrown non-error as an error, until a run succeeds', async () => {
    const g = gated();
    const flight = new SingleFlight(g.work);
    const failing = flight.run();
    g.settle(0).reject('disk gone');
    await expect(failing).rejects.toBe('disk gone');
    expect(flight.lastFailure).toEqual(new Error('disk gone'));
    const next = flight.run();
    // Still remembered while the next run is under way.
    expect(flight.lastFailure).toBeInstanceOf(Error);
    g.settle(1).resolve(1);
    await next;
    expect(flight.lastFailure).toBeUndefined();
  });

  it('says when the run under way started', async () => {
    const g = gated();
    const flight = new SingleFlight(g.work);
    const before = performance.now();
    const run = flight.run();
    expect(flight.since).toBeGreaterThanOrEqual(before);
    expect(flight.since).toBeLessThanOrEqual(performance.now());
    g.settle(0).resolve(0);
    await run;
  });
});

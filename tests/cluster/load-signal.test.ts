import { BUSY_SHARE, LoadSignal, WINDOW_MS } from '../../src/cluster/load-signal';

/** When a worker serving alone counts as loaded (the spares start), on a clock the test moves. */

function harness() {
  let now = 10_000;
  const loads: number[] = [];
  const signal = new LoadSignal(() => void loads.push(now), () => now);
  /** One request of `ms`, then `gap` ms with none. */
  const request = (ms: number, gap = 0): void => {
    signal.begin();
    now += ms;
    signal.end();
    now += gap;
  };
  return { signal, loads, request, advance: (ms: number) => void (now += ms), at: () => now };
}

describe('the load that starts spare workers', () => {
  it('is two requests under way at once', () => {
    const { signal, loads, advance } = harness();
    signal.begin();
    advance(5);
    expect(loads).toHaveLength(0);
    signal.begin();
    expect(loads).toHaveLength(1);
    signal.end();
    signal.end();
    // Ended requests no longer count: one more alone is no load.
    advance(5);
    signal.begin();
    expect(loads).toHaveLength(1);
  });

  it('is not an occasional request, however long ago the worker started or how long the request took', () => {
    const { loads, request, advance } = harness();
    // Start-up and its collections: no request under way, so none of it counts.
    advance(7_000);
    request(400, 3_000);
    request(50, 30_000);
    for (let i = 0; i < 20; i += 1) request(100, 2_000);
    expect(loads).toHaveLength(0);
  });

  it('is one client keeping the worker busy for at least half of a span of a second or more', () => {
    const { loads, request, at } = harness();
    // A pull: pages of 60 ms with 20 ms between them (the client parsing).
    const started = at();
    while (loads.length === 0 && at() - started < 10_000) request(60, 20);
    expect(loads).toHaveLength(1);
    // Seen at the first request after a span of WINDOW_MS (the one before the pull was idle: it starts the span).
    expect(loads[0]! - started).toBeLessThanOrEqual(2 * WINDOW_MS + 80);
  });

  it('is not a client busy for less than half of the time', () => {
    const { loads, request } = harness();
    const ms = 100;
    const gap = Math.ceil(ms / BUSY_SHARE - ms) + 5;
    for (let i = 0; i < 200; i += 1) request(ms, gap);
    expect(loads).toHaveLength(0);
  });

  it('counts an end without a begin as nothing', () => {
    const { signal, loads } = harness();
    signal.end();
    signal.begin();
    expect(loads).toHaveLength(0);
    signal.begin();
    expect(loads).toHaveLength(1);
  });
});

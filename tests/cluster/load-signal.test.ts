import { BUSY_SHARE, LoadSignal, WINDOW_MS } from '../../src/cluster/load-signal';

/** When a worker serving alone counts as loaded (the spares start), on a clock the test moves. */

type Use = { idle: number; active: number; utilization: number };

function harness() {
  let now = 10_000;
  // The event loop's busy ms so far: a request's own time (the test's requests are the only work).
  let active = 0;
  const utilization = (since?: Use): Use => {
    const use = { active, idle: now - active, utilization: 0 };
    if (!since) return use;
    const a = use.active - since.active;
    const i = use.idle - since.idle;
    return { active: a, idle: i, utilization: a + i > 0 ? a / (a + i) : 0 };
  };
  const loads: number[] = [];
  const signal = new LoadSignal(() => void loads.push(now), () => now, utilization as never);
  /** One request of `ms` on `connection`, then `gap` ms with none. */
  const request = (connection: object, ms: number, gap = 0): void => {
    signal.begin(connection);
    now += ms;
    active += ms;
    signal.end();
    now += gap;
  };
  return { signal, loads, request, advance: (ms: number) => void (now += ms), busy: (ms: number) => void ((now += ms), (active += ms)), at: () => now };
}

describe('the load that starts spare workers', () => {
  it('is two requests under way at once', () => {
    const { signal, loads, advance } = harness();
    const client = {};
    signal.begin(client);
    advance(5);
    expect(loads).toHaveLength(0);
    signal.begin(client);
    expect(loads).toHaveLength(1);
    signal.end();
    signal.end();
    // Ended requests no longer count: one more alone is no load.
    advance(5);
    signal.begin(client);
    expect(loads).toHaveLength(1);
  });

  it('is a pool of connections whose requests, each ending before the next begins, keep the worker busy', () => {
    const { loads, request, at } = harness();
    const pool = Array.from({ length: 32 }, () => ({}));
    const started = at();
    // Answers from the caches: 0.5 ms each, the next connection's request read 0.1 ms later.
    for (let i = 0; loads.length === 0 && at() - started < 10_000; i += 1) request(pool[i % pool.length]!, 0.5, 0.1);
    expect(loads).toHaveLength(1);
    // Seen at the first request after a span of WINDOW_MS (the span before the load was idle: it only starts the next).
    expect(loads[0]! - started).toBeLessThanOrEqual(2 * WINDOW_MS + 1);
  });

  it('is not one connection keeping the worker busy (a pull), nor occasional requests on many', () => {
    const { loads, request, advance, busy } = harness();
    const notebook = {};
    // A pull: pages of 60 ms with 20 ms between them (the client parsing), for 20 s.
    for (let i = 0; i < 250; i += 1) request(notebook, 60, 20);
    expect(loads).toHaveLength(0);
    // Start-up (busy, but one connection's request after it), then quiet.
    busy(3_000);
    request(notebook, 50, 500);
    advance(7_000);
    // Clients each with its own connection, busy less than half of the time in all.
    const ms = 100;
    const gap = Math.ceil(ms / BUSY_SHARE - ms) + 5;
    for (let i = 0; i < 200; i += 1) request({}, ms, gap);
    expect(loads).toHaveLength(0);
  });

  it('counts an end without a begin as nothing', () => {
    const { signal, loads } = harness();
    const client = {};
    signal.end();
    signal.begin(client);
    expect(loads).toHaveLength(0);
    signal.begin(client);
    expect(loads).toHaveLength(1);
  });
});

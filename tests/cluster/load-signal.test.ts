import { LoadSignal } from '../../src/cluster/load-signal';

/** When a worker serving alone counts as loaded (the spares start). */

function harness() {
  let loads = 0;
  const signal = new LoadSignal(() => void (loads += 1));
  return { signal, loads: () => loads };
}

describe('the load that starts spare workers', () => {
  it('is two requests under way at once, each request beyond the first counting once', () => {
    const { signal, loads } = harness();
    signal.begin();
    expect(loads()).toBe(0);
    signal.begin();
    expect(loads()).toBe(1);
    signal.begin();
    expect(loads()).toBe(2);
    signal.end();
    signal.end();
    signal.end();
    // Ended requests no longer count: one more alone is no load.
    signal.begin();
    expect(loads()).toBe(2);
  });

  it('is not one client\'s requests in turn, however many', () => {
    const { signal, loads } = harness();
    for (let i = 0; i < 1_000; i += 1) {
      signal.begin();
      signal.end();
    }
    expect(loads()).toBe(0);
  });

  it('counts an end without a begin as nothing', () => {
    const { signal, loads } = harness();
    signal.end();
    signal.begin();
    expect(loads()).toBe(0);
    signal.begin();
    expect(loads()).toBe(1);
  });
});

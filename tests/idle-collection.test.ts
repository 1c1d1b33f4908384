import { giveBack, takeBytes } from '../src/byte-pool';
import { AFTER_REQUESTS_MS, IdleCollection, MIN_GROWTH_BYTES, SHRINK_AFTER_MS, fullCollection } from '../src/idle-collection';

describe('the idle collection of a server process', () => {
  /** A heap that grows by the threshold between any two reads (every spell has garbage to collect). */
  const growing = () => {
    let used = 0;
    return () => (used += MIN_GROWTH_BYTES);
  };
  /** A young generation V8 has shrunk: no spell needs a third collection. */
  const shrunk = () => 0;
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => void (now += ms) };
  };
  /** `ms` more of quiet bring exactly one more collection, and 1 ms less none. */
  const collectsAfter = (idle: IdleCollection, time: ReturnType<typeof clock>, ms: number): void => {
    const before = idle.collections;
    time.advance(ms - 1);
    idle.check();
    expect(idle.collections).toBe(before);
    time.advance(1);
    idle.check();
    expect(idle.collections).toBe(before + 1);
  };

  /** Start-up's spell: its garbage after firstMs, the young generation SHRINK_AFTER_MS later. */
  const settle = (idle: IdleCollection, time: ReturnType<typeof clock>): void => {
    collectsAfter(idle, time, 2_000);
    collectsAfter(idle, time, SHRINK_AFTER_MS);
  };

  it('collects once after the first quiet spell, once more when V8 can shrink the young generation, then waits for activity', () => {
    const time = clock();
    const calls: unknown[] = [];
    const idle = new IdleCollection(2_000, (options) => void calls.push(options ?? 'full'), time.now, growing(), undefined, shrunk);
    time.advance(1_999);
    idle.check();
    expect(calls).toEqual([]);
    time.advance(1);
    idle.check();
    expect(calls).toEqual(['full']);
    time.advance(SHRINK_AFTER_MS - 1);
    idle.check();
    expect(calls).toEqual(['full']);
    time.advance(1);
    idle.check();
    time.advance(60_000);
    idle.check();
    expect(calls).toEqual(['full', 'full']);
    expect(idle.collections).toBe(2);
  });

  it('never collects while requests keep coming, and starts a new spell after each', () => {
    const time = clock();
    let calls = 0;
    const idle = new IdleCollection(2_000, () => void (calls += 1), time.now, growing(), undefined, shrunk);
    for (let i = 0; i < 10; i += 1) {
      time.advance(1_500);
      idle.activity();
      idle.check();
    }
    expect(calls).toBe(0);
    time.advance(2_000);
    idle.check();
    expect(calls).toBe(1);
    idle.activity();
    time.advance(2_000);
    idle.check();
    expect(calls).toBe(2);
  });

  it('never collects while a request that outlasts the quiet spell (a long export) is under way', () => {
    const time = clock();
    let calls = 0;
    const idle = new IdleCollection(2_000, () => void (calls += 1), time.now, growing(), undefined, shrunk);
    idle.begin();
    time.advance(60_000);
    idle.check();
    expect(calls).toBe(0);
    idle.end();
    collectsAfter(idle, time, 2_000);
    expect(calls).toBe(1);
  });

  it('collects nothing in a quiet spell after too little allocation (a health probe every few seconds)', () => {
    const time = clock();
    let calls = 0;
    let used = 50 * MIN_GROWTH_BYTES;
    const idle = new IdleCollection(2_000, () => void (calls += 1), time.now, () => used, undefined, shrunk);
    settle(idle, time);
    expect(calls).toBe(2);
    for (let probe = 0; probe < 5; probe += 1) {
      idle.activity();
      used += 64 * 1024;
      time.advance(10_000);
      idle.check();
      idle.check();
    }
    expect(calls).toBe(2);
    idle.activity();
    used += MIN_GROWTH_BYTES;
    time.advance(2_000);
    idle.check();
    expect(calls).toBe(3);
  });

  it('waits AFTER_REQUESTS_MS of quiet once requests were served since the last collection, so a pausing client keeps its optimised code', () => {
    const time = clock();
    const idle = new IdleCollection(2_000, () => undefined, time.now, growing(), undefined, shrunk);
    // Start-up's spell collects after firstMs, requests during start-up included.
    idle.begin();
    idle.end();
    settle(idle, time);
    // A client paging with pauses of a few seconds: no collection between its requests.
    for (let page = 0; page < 5; page += 1) {
      idle.begin();
      idle.end();
      time.advance(AFTER_REQUESTS_MS / 2);
      idle.check();
    }
    expect(idle.collections).toBe(2);
    collectsAfter(idle, time, AFTER_REQUESTS_MS / 2);
    // The spell's second collection (the young generation) still comes SHRINK_AFTER_MS after its first.
    collectsAfter(idle, time, SHRINK_AFTER_MS);
  });

  it('collects after firstMs, requests or not, until start-up\'s spell has run both collections: a request between them (a client\'s introspection) does not keep the grown young generation for AFTER_REQUESTS_MS', () => {
    const time = clock();
    let used = 20 * MIN_GROWTH_BYTES;
    const idle = new IdleCollection(2_000, () => undefined, time.now, () => used, undefined, shrunk);
    collectsAfter(idle, time, 2_000);
    // One small request after start-up's first collection: far under MIN_GROWTH_BYTES of allocation.
    idle.begin();
    used += 1024 * 1024;
    idle.end();
    collectsAfter(idle, time, 2_000);
    collectsAfter(idle, time, SHRINK_AFTER_MS);
    // Settled: the next request's spell waits AFTER_REQUESTS_MS as before.
    idle.begin();
    used += MIN_GROWTH_BYTES;
    idle.end();
    time.advance(AFTER_REQUESTS_MS - 1);
    idle.check();
    expect(idle.collections).toBe(3);
    collectsAfter(idle, time, 1);
  });

  it('runs a third collection SHRINK_AFTER_MS after the second when the young generation is still grown, then waits for activity', () => {
    const time = clock();
    let young = 16 * 1024 * 1024;
    const idle = new IdleCollection(2_000, () => undefined, time.now, growing(), undefined, () => young);
    collectsAfter(idle, time, 2_000);
    collectsAfter(idle, time, SHRINK_AFTER_MS);
    young = 1024 * 1024;
    collectsAfter(idle, time, SHRINK_AFTER_MS);
    time.advance(60_000);
    idle.check();
    expect(idle.collections).toBe(3);
  });

  it('collects after firstMs when no request was served since the last collection (a version staged while nobody reads)', () => {
    const time = clock();
    const idle = new IdleCollection(2_000, () => undefined, time.now, growing(), undefined, shrunk);
    collectsAfter(idle, time, 2_000);
    idle.activity();
    collectsAfter(idle, time, 2_000);
  });

  it('counts AFTER_REQUESTS_MS from the last served request, not from the last probe: probes every 10 s do not hold the collection off', () => {
    const time = clock();
    const idle = new IdleCollection(2_000, () => undefined, time.now, growing(), undefined, shrunk);
    settle(idle, time);
    idle.begin();
    idle.end();
    for (let probe = 0; probe < 2; probe += 1) {
      time.advance(10_000);
      idle.begin(false);
      idle.end(false);
      idle.check();
    }
    expect(idle.collections).toBe(2);
    // 30 s after the request, 10 s after the last probe.
    collectsAfter(idle, time, 10_000);
  });

  it('lets go of the byte pool\'s kept page buffers when it collects, not before', () => {
    const time = clock();
    const idle = new IdleCollection(2_000, () => undefined, time.now, growing(), undefined, shrunk);
    const page = takeBytes(1_000_000);
    giveBack(page);
    time.advance(1_999);
    idle.check();
    const before = takeBytes(1_000_000);
    expect(before.buffer).toBe(page.buffer);
    giveBack(before);
    time.advance(1);
    idle.check();
    expect(idle.collections).toBe(1);
    expect(takeBytes(1_000_000).buffer).not.toBe(page.buffer);
  });

  it('does nothing with 0 (turned off), and a staged version asks only for a scavenge', () => {
    const time = clock();
    let calls = 0;
    const off = new IdleCollection(0, () => void (calls += 1), time.now);
    time.advance(60_000);
    off.check();
    off.collectYoung();
    expect(calls).toBe(0);
    const seen: unknown[] = [];
    new IdleCollection(2_000, (options) => void seen.push(options), time.now).collectYoung();
    expect(seen).toEqual([{ type: 'minor' }]);
  });

  it("reaches V8's own collector in this process", () => {
    const gc = fullCollection();
    expect(typeof gc).toBe('function');
    expect(() => gc?.()).not.toThrow();
  });
});

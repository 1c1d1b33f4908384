import { giveBack, releaseKeptBytes, takeBytes } from '../src/byte-pool';

describe('large byte buffers kept for reuse', () => {
  it('gives the memory of a buffer handed back to the next one that fits in it', () => {
    const first = takeBytes(1_000_000);
    expect(first).toHaveLength(1_000_000);
    giveBack(first);
    const second = takeBytes(1_000_100);
    expect(second.buffer).toBe(first.buffer);
    expect(second).toHaveLength(1_000_100);
    // Not handed back: the next one is new memory.
    expect(takeBytes(1_000_000).buffer).not.toBe(first.buffer);
  });

  it('takes back only its own buffers, each once, and keeps at most three', () => {
    const foreign = Buffer.allocUnsafeSlow(2_000_000);
    giveBack(foreign);
    expect(takeBytes(1_500_000).buffer).not.toBe(foreign.buffer);
    const own = Array.from({ length: 5 }, () => takeBytes(300_000));
    giveBack(own[0]);
    giveBack(own[0]);
    for (const b of own.slice(1)) giveBack(b);
    const again = Array.from({ length: 5 }, () => takeBytes(300_000));
    const reused = again.filter((b) => own.some((o) => o.buffer === b.buffer));
    expect(reused).toHaveLength(3);
    expect(new Set(again.map((b) => b.buffer)).size).toBe(5);
  });

  it('keeps nothing once released, and takes back a buffer that was out meanwhile', () => {
    const kept = takeBytes(500_000);
    const out = takeBytes(500_000);
    giveBack(kept);
    releaseKeptBytes();
    expect(takeBytes(500_000).buffer).not.toBe(kept.buffer);
    giveBack(out);
    expect(takeBytes(500_000).buffer).toBe(out.buffer);
  });

  it('makes small buffers new each time', () => {
    const small = takeBytes(1_000);
    giveBack(small);
    expect(takeBytes(1_000).buffer).not.toBe(small.buffer);
  });
});

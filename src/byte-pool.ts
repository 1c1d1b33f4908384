/**
 * Large byte buffers kept for reuse: a bulk page's edges and its answer
 * (about a megabyte each) are written into memory that was used before. A
 * worker's malloc keeps a fixed trim threshold (cluster/worker-env.ts), so
 * every fresh buffer that large is new pages from the kernel, faulted in as
 * they are written: that cost more than the copy itself. Only buffers made
 * here come back, each once, and only a few are kept, until the process idles
 * (releaseKeptBytes: a quiet server keeps no page's memory).
 */

const MAX_HELD = 3;
const MIN_BYTES = 64 * 1024;

const held: Buffer[] = [];
const made = new WeakSet<ArrayBuffer>();

/** `size` bytes (contents undefined) in a kept buffer large enough, else in a new one with room to spare. */
export function takeBytes(size: number): Buffer {
  let best = -1;
  for (let i = 0; i < held.length; i += 1) if (held[i].length >= size && (best < 0 || held[i].length < held[best].length)) best = i;
  if (best >= 0) return held.splice(best, 1)[0].subarray(0, size);
  if (size < MIN_BYTES) return Buffer.allocUnsafeSlow(size);
  // A quarter more, in 64 KiB steps: the next page, a few bytes longer, fits in the same buffer.
  const whole = Buffer.allocUnsafeSlow(Math.ceil((size * 1.25) / MIN_BYTES) * MIN_BYTES);
  made.add(whole.buffer as ArrayBuffer);
  return whole.subarray(0, size);
}

/** Hands `bytes` (from takeBytes) back once nothing reads or sends them any more. */
export function giveBack(bytes: Uint8Array): void {
  const store = bytes.buffer as ArrayBuffer;
  if (!made.has(store) || held.length >= MAX_HELD || held.some((b) => b.buffer === store)) return;
  held.push(Buffer.from(store, 0, store.byteLength));
}

/** Lets go of the kept buffers (their memory goes at the next collection); buffers still out may come back later. */
export function releaseKeptBytes(): void {
  held.length = 0;
}

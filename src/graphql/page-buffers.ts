/**
 * Buffers a prepared batch page is read into, reused from one page to the
 * next: a new 640 kB buffer a page counted against V8's heap limit (as
 * external memory) and made the workers run a full collection every ten
 * pages or so. Whoever sends the bytes gives the buffer back once they are
 * handed to the socket (answer-bytes.ts); a buffer never given back is
 * simply collected. The pool empties when batch pages stop, so an idle
 * server holds none.
 */

/** Free buffers kept at most: a worker serves a page or two at once. */
const MAX_FREE = 2;
/** Smallest buffer made, so pages of any size up to this reuse one. */
const MIN_BYTES = 1024 * 1024;
const EMPTY_AFTER_MS = 10_000;

const free: Buffer[] = [];
const lent = new WeakMap<ArrayBufferLike, Buffer>();
let emptyTimer: NodeJS.Timeout | undefined;

/** A buffer of at least `bytes` (its first `bytes` to be used), lent until returnPageBuffers. */
export function pageBuffer(bytes: number): Buffer {
  const at = free.findIndex((b) => b.length >= bytes);
  const buffer = at >= 0 ? free.splice(at, 1)[0] : Buffer.allocUnsafeSlow(Math.max(bytes, MIN_BYTES));
  lent.set(buffer.buffer, buffer);
  return buffer;
}

/** Gives back the lent buffers any of `views` are in: nothing may read them after this. */
export function returnPageBuffers(views: readonly Uint8Array[]): void {
  for (const view of views) {
    const buffer = lent.get(view.buffer);
    if (!buffer) continue;
    lent.delete(view.buffer);
    if (free.length < MAX_FREE) free.push(buffer);
  }
  clearTimeout(emptyTimer);
  emptyTimer = setTimeout(() => (free.length = 0), EMPTY_AFTER_MS);
  emptyTimer.unref();
}

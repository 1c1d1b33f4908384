/**
 * Bulk pages take turns on the event loop. A page's rows are completed and
 * written in one synchronous stretch once its read returns, and reads that
 * return together (the aliased pages of one request, or of requests from
 * several keys) were completed back to back: eleven 10,000-row pages held a
 * worker for seconds. Each bulk page now waits for its turn, one a loop
 * iteration, so the sockets and engine answers of every other request are
 * served between two pages.
 */

const waiting: Array<() => void> = [];
let releasing = false;

/** Resolves on a later turn of the event loop, after every page that asked before it; its work runs in that turn. */
export function pageTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!releasing) {
      releasing = true;
      setImmediate(releaseOne);
    }
  });
}

function releaseOne(): void {
  // The released page runs in the microtasks after this callback; the next one is released on the next loop turn
  // (an immediate set while immediates run waits for the next check phase, after timers and I/O).
  waiting.shift()?.();
  if (waiting.length > 0) setImmediate(releaseOne);
  else releasing = false;
}

import { pageTurn } from './page-turns';
import { stopIfGone } from './still-wanted';

/**
 * A request's edges are completed a stretch at a time. The executor completes
 * a page's edges (and the nested pages under them) in one synchronous run once
 * their reads return: 482 customers with 100 readings each, fifteen aliased
 * pages of 1,999, or 10,000 training rows with their customer held a worker for
 * 0.3–0.9 s, every other client's request waiting behind. A request may complete
 * at most STRETCH_EDGES edges before the event loop turns; the lists beyond wait
 * for later turns (page-turns.ts, shared with bulk pages: one waiting request a
 * loop iteration), in batches of up to STRETCH_EDGES, their order kept. A request whose client is gone completes
 * none of its later batches (still-wanted.ts).
 */
export const STRETCH_EDGES = 2_000;

interface Batch {
  size: number;
  released: Promise<void>;
}

interface Stretch {
  /** Edges completed since this request last let the event loop turn. */
  spent: number;
  resetting: boolean;
  /** The last batch still waiting for its turn; lists that come meanwhile join it or wait after it. */
  waiting?: Batch;
  gone?: AbortSignal;
}

const stretches = new WeakMap<object, Stretch>();

/** The request's edges as the executor should complete them: now, or (some, or all) as promises that resolve on later turns. */
export function edgesInTurns<T>(request: object, edges: T[], gone?: AbortSignal): T[] | Promise<T[]> | Array<T | Promise<T>> {
  const stretch = stretchOf(request);
  stretch.gone ??= gone;
  if (!stretch.waiting && stretch.spent + edges.length <= STRETCH_EDGES) {
    spend(stretch, edges.length);
    return edges;
  }
  // What is left of this stretch is taken now, unless lists of this request already wait (their order is kept).
  const now = stretch.waiting ? 0 : Math.max(0, STRETCH_EDGES - stretch.spent);
  spend(stretch, now);
  if (now === 0 && edges.length <= STRETCH_EDGES) return later(stretch, edges.length).then(() => edges);
  const items: Array<T | Promise<T>> = edges.slice(0, now);
  for (let from = now; from < edges.length; from += STRETCH_EDGES) {
    const to = Math.min(edges.length, from + STRETCH_EDGES);
    const turn = later(stretch, to - from);
    for (let i = from; i < to; i += 1) {
      const edge = edges[i];
      items.push(turn.then(() => edge));
    }
  }
  return items;
}

function stretchOf(request: object): Stretch {
  let stretch = stretches.get(request);
  if (!stretch) stretches.set(request, (stretch = { spent: 0, resetting: false }));
  return stretch;
}

function spend(stretch: Stretch, edges: number): void {
  stretch.spent += edges;
  if (stretch.resetting || stretch.spent === 0) return;
  // The request's synchronous run ends before any immediate runs: the next one starts a new stretch.
  stretch.resetting = true;
  setImmediate(() => {
    stretch.resetting = false;
    stretch.spent = 0;
  });
}

/** Resolves once `size` edges of this request may be completed: in the waiting batch when it has room, else in a new one after it. */
function later(stretch: Stretch, size: number): Promise<void> {
  const last = stretch.waiting;
  if (last && last.size + size <= STRETCH_EDGES) {
    last.size += size;
    return last.released;
  }
  const batch: Batch = { size, released: Promise.resolve() };
  batch.released = (last?.released ?? Promise.resolve()).then(pageTurn).then(() => {
    if (stretch.waiting === batch) stretch.waiting = undefined;
    stopIfGone(stretch.gone);
    // Released in its own loop turn: this batch is what the request completes in it.
    stretch.spent = 0;
    spend(stretch, batch.size);
  });
  stretch.waiting = batch;
  return batch.released;
}

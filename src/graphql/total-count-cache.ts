/**
 * totalCount per (node kind, version, consent generation, filter): notebooks
 * ask for it on every page, and a version's rows never change, so only a new
 * consent generation (or version) makes a new count. A failed count is not kept.
 */
const MAX_ENTRIES = 2_000;

export class TotalCountCache {
  private readonly counts = new Map<string, Promise<number>>();

  /** The count already made or under way for `key`, if any. */
  cached(key: string): Promise<number> | undefined {
    const cached = this.counts.get(key);
    if (cached) {
      // Private: re-insert so the Map's order is least recently used first.
      this.counts.delete(key);
      this.counts.set(key, cached);
    }
    return cached;
  }

  get(key: string, count: () => Promise<number>): Promise<number> {
    const cached = this.cached(key);
    if (cached) return cached;
    const counting = count();
    this.counts.set(key, counting);
    counting.catch(() => this.counts.delete(key));
    if (this.counts.size > MAX_ENTRIES) this.counts.delete(this.counts.keys().next().value as string);
    return counting;
  }
}

const caches = new WeakMap<object, TotalCountCache>();

/** One cache per Services instance (per server). */
export function totalCountCacheOf(owner: object): TotalCountCache {
  let cache = caches.get(owner);
  if (!cache) {
    cache = new TotalCountCache();
    caches.set(owner, cache);
  }
  return cache;
}

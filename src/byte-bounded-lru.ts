/**
 * A least-recently-used map bounded by estimated heap bytes: what the
 * server's caches of documents, compiled queries and small results share. A
 * value larger than the whole budget is never kept.
 */
export class ByteBoundedLru<V> {
  // Private: insertion order is recency order (an entry is re-inserted on every hit).
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  /** Estimated bytes held now; never above `maxBytes` once `set` returns. */
  bytes = 0;

  constructor(
    private readonly maxBytes: number,
    /** Told of every entry evicted to make room (not of those deleted or replaced). */
    private readonly onEvict: (value: V) => void = () => undefined,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value, now the most recently used; undefined when not kept. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` (replacing any under `key`) and evicts the oldest until within budget, or while `overOtherBound` says so; false if too large to keep. */
  set(key: string, value: V, bytes: number, overOtherBound: () => boolean = () => false): boolean {
    this.delete(key);
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes && !overOtherBound()) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes;
      this.onEvict(old.value);
    }
    return true;
  }

  /** Keys from the most recently used on, without touching their recency. */
  *newestKeys(): IterableIterator<string> {
    const keys = [...this.entries.keys()];
    for (let i = keys.length - 1; i >= 0; i -= 1) yield keys[i]!;
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
    return true;
  }
}

import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets its old generation grow past the live heap before the next
 * full collection. By default V8 picks up to 4x when collecting looks cheap,
 * so a stream of requests that each leave garbage (large introspection
 * answers, say) grows the heap, and RSS, by several times the live heap
 * without holding anything. A fixed factor (1 + percent / 100) bounds that
 * growth at the price of more frequent, mostly concurrent, full collections;
 * 0 leaves V8's own choice. V8 reads this flag at every limit update, so it
 * can be set once the process runs (it cannot go on NODE_OPTIONS).
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

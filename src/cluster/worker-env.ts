/**
 * Environment variables a cluster worker gets on top of the primary's, read
 * by glibc's malloc when the process starts. Unset, glibc raises its trim and
 * mmap thresholds after the first large blocks are freed (start-up frees
 * many: module sources, the schema, the first version's load), and from then
 * on keeps freed memory at the top of the heap instead of returning it: ~7 MiB
 * of an idle worker (bench/performance-log.md, idle memory, session 7). A fixed
 * threshold keeps both at their defaults. musl and other allocators ignore it.
 */
export function workerEnv(mallocTrimKb: number): Record<string, string> {
  return mallocTrimKb > 0 ? { MALLOC_TRIM_THRESHOLD_: String(mallocTrimKb * 1024) } : {};
}

import { availableParallelism } from 'node:os';

/**
 * The defaults and upper bounds of the settings whose value was measured or reasoned (config.ts reads them),
 * each with why it is what it is.
 */

/** Measured in README → Performance (issue 11's memory): the young generation Node sizes for a big server is most of an idle worker's heap. */
export const DEFAULT_WORKER_SEMI_SPACE_MB = 8;
/** Quiet ms before a server process's first idle collection (src/idle-collection.ts). */
export const DEFAULT_IDLE_COLLECTION_MS = 2_000;
/** Measured in bench/performance-log.md (idle memory, session 7): glibc kept ~7 MiB a worker of start-up's freed memory without it. */
export const DEFAULT_WORKER_MALLOC_TRIM_KB = 128;
/** Measured in bench/performance-log.md (idle memory, sessions 9 and 10): an idle cluster holds one worker, ~45–60 MiB of PSS less than two. */
export const DEFAULT_SPARE_WORKER_IDLE_MS = 300_000;
/** Far above any pause a serving worker's event loop takes (a consent refresh at 100x blocked it 0.5–2 s): only a worker that is stuck. */
export const DEFAULT_WORKER_HANG_MS = 30_000;
/**
 * Measured in bench/performance-log.md (benchmark 10, session 31): a small query's p99 next to a hostile client's scans fell
 * by a third with DuckDB's threads at nice 10; alone, a thread's nice changes nothing.
 */
export const DEFAULT_ENGINE_THREAD_NICE = 10;

/** Workers are CPU-bound: past 4 a core they add only memory (45–60 MiB each) and start-up forks, never throughput. */
export const maxWorkers = (): number => 4 * availableParallelism();
/** Each is an OS thread in every serving process: past 4 a core they only contend, and a typo (100000) made threads until the host refused forks. */
export const maxDuckdbThreads = (): number => 4 * availableParallelism();
/**
 * Six: a browser opens at most six connections to a host, so a page's parallel queries never meet the limit, and with
 * the serving engine's eight connections a key running six leaves two for every other key (src/http/key-concurrency.ts).
 */
export const DEFAULT_KEY_CONCURRENCY = 6;
/**
 * Waiting places a key has for each running one: a notebook pulling with 16 threads, or a load test's 32 connections,
 * waits its turn instead of being refused; only a key that floods the server hears 429 at once.
 */
export const KEY_QUEUE_PER_PLACE = 8;
/**
 * Rows a request may ask for: answering them is main-thread work; eleven aliased 10,000-row pages held a worker for
 * 2–4 s, two for under one (README → Request ids and limits). Five pages: 100 customers with 100 of each of their
 * three kinds of readings (30,100 rows) is an ordinary request.
 */
export const DEFAULT_MAX_REQUEST_ROWS = 50_000;
/** Two seconds: a heavy page on the real data takes well under one, so a short burst waits rather than being refused. */
export const DEFAULT_KEY_QUEUE_MS = 2_000;

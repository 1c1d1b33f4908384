/** Time as the Athena query runner sees it: tests give it a clock that sleeps instantly. */
export interface Clock {
  /** Milliseconds from an arbitrary start: only differences and deadlines are taken from it. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  // Monotonic: a wall clock stepped an hour forward (NTP) timed out and stopped every running query; stepped back, a hung one ran an hour past its limit.
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

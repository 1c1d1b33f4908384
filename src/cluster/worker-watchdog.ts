/**
 * Finds a cluster worker that no longer answers (its event loop stuck in a
 * loop, a native call that never returns, a stopped process). Such a worker
 * still holds its kept-alive connections and the one connection the cluster
 * last handed it, whose clients wait for ever; it holds up every rebuild's
 * staging for its whole timeout, and fails /metrics (summed over all workers).
 * The primary pings each listening worker over IPC; one silent for `hangMs`
 * is reported (`onHung`), and the primary kills it, so it is replaced.
 */
export class WorkerWatchdog<W> {
  private readonly lastAnswer = new Map<W, number>();
  private timer: NodeJS.Timeout | undefined;
  private lastTick: number;
  private readonly everyMs: number;

  constructor(
    private readonly hangMs: number,
    private readonly ping: (worker: W) => void,
    private readonly onHung: (worker: W, silentMs: number) => void,
    // Monotonic: a wall clock stepped back an hour left a stuck worker unseen for that hour.
    private readonly now: () => number = () => Math.round(performance.now()),
  ) {
    this.everyMs = Math.max(1, Math.floor(hangMs / 4));
    this.lastTick = now();
  }

  /** Starts watching a worker that listens (0: never). */
  watch(worker: W): void {
    if (this.hangMs <= 0) return;
    this.lastAnswer.set(worker, this.now());
    if (!this.timer) {
      this.lastTick = this.now();
      this.timer = setInterval(() => this.tick(), this.everyMs);
      this.timer.unref();
    }
  }

  /** The worker answered a ping: its event loop turns. */
  answered(worker: W): void {
    if (this.lastAnswer.has(worker)) this.lastAnswer.set(worker, this.now());
  }

  /** The worker exited, or is being stopped: no longer watched. */
  forget(worker: W): void {
    this.lastAnswer.delete(worker);
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.lastAnswer.clear();
  }

  private tick(): void {
    const now = this.now();
    // The primary itself was held up (a stopped process, a suspended machine): its workers' answers are still unread, so nobody is judged on this turn.
    const primaryLate = now - this.lastTick > 2 * this.everyMs;
    this.lastTick = now;
    for (const [worker, at] of this.lastAnswer) {
      if (primaryLate) this.lastAnswer.set(worker, now);
      else if (now - at > this.hangMs) {
        this.lastAnswer.delete(worker);
        this.onHung(worker, now - at);
        continue;
      }
      this.ping(worker);
    }
  }
}

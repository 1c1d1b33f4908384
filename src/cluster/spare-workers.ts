/**
 * The cluster's workers beyond the first, run only while the lake is read
 * (STEDI_SPARE_WORKER_IDLE_MS > 0, the default): an idle cluster holds one
 * worker's memory (~45–55 MiB of PSS each, bench/performance-log.md, sessions 8
 * to 10), a served one runs on every core. When they are stopped, a request
 * for data (data-requests.ts: anything but the schema's introspection, pages
 * and probes) or load (load-signal.ts: requests at once, or several
 * connections keeping a worker busy) starts them; `idleMs` without any request
 * stops them. Workers report requests at most every few seconds
 * (`busyEvery`), so a stop comes after at least `idleMs` minus that much quiet.
 */

export interface SpareActions {
  /** Starts the spare workers; resolves once they listen. */
  start(): Promise<void>;
  /** Asks the spare workers to drain and exit. */
  stop(): void;
}

type State = 'stopped' | 'starting' | 'running';

export class SpareWorkers {
  private state: State = 'stopped';
  private lastBusy = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly idleMs: number,
    private readonly actions: SpareActions,
    private readonly onStartFailed: (error: unknown) => void = () => undefined,
    // Monotonic: a wall clock stepped back an hour kept idle spares running for that hour, one stepped forward stopped busy ones.
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A worker served requests; `start`: one asked for data or it is under load, so the spares start if they are stopped. */
  busy(start = true): void {
    this.lastBusy = this.now();
    if (!start || this.state !== 'stopped' || this.closed) return;
    this.state = 'starting';
    this.actions.start().then(
      () => {
        this.state = 'running';
        this.schedule();
      },
      (error: unknown) => {
        // The next request tries again: a spare that cannot start leaves the first worker serving alone.
        this.state = 'stopped';
        this.onStartFailed(error);
      },
    );
  }

  /** Running, starting or stopped (tests, logs). */
  get status(): State {
    return this.state;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => this.check(), Math.max(0, this.lastBusy + this.idleMs - this.now()));
    this.timer.unref();
  }

  private check(): void {
    if (this.state !== 'running' || this.closed) return;
    if (this.now() - this.lastBusy < this.idleMs) return this.schedule();
    this.state = 'stopped';
    this.actions.stop();
  }
}

/** How often a worker reports that it serves: often enough for `idleMs`, rarely enough to cost nothing per request. */
export function busyEvery(idleMs: number): number {
  return Math.min(idleMs / 4, 5_000);
}

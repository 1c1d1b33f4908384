/** How long repeats of a line a client can cause at will are counted before their count is logged. */
export const REPEAT_WINDOW_MS = 10_000;

interface Kind {
  quietUntil: number;
  counted: number;
  timer?: NodeJS.Timeout;
  summarise: (count: number) => void;
}

/**
 * Log lines a client causes at will (a key guessed, a request without one), aggregated by kind: the first of a kind
 * is written, those in the next `windowMs` are counted and written as one line with their number when that time ends,
 * or at `flush` (the server stopping: its unref'd timer would never fire, and the count was lost).
 */
export class RepeatedLines {
  private readonly kinds = new Map<string, Kind>();

  constructor(readonly windowMs = REPEAT_WINDOW_MS) {}

  /** Runs `first` (writes the line) unless a line of `kind` was written within `windowMs`; else counts it for `summarise`. */
  seen(kind: string, first: () => void, summarise: (count: number) => void): void {
    const now = performance.now();
    const known = this.kinds.get(kind);
    if (!known || now >= known.quietUntil) {
      // A timer late under load: the count it holds is written before the new window's first line.
      if (known) this.write(kind, known);
      this.kinds.set(kind, { quietUntil: now + this.windowMs, counted: 0, summarise });
      first();
      return;
    }
    known.counted += 1;
    known.summarise = summarise;
    known.timer ??= setTimeout(() => this.write(kind, known), known.quietUntil - now).unref();
  }

  /** Writes every count not yet written, now, and forgets the windows. */
  flush(): void {
    for (const [kind, known] of [...this.kinds]) this.write(kind, known);
    this.kinds.clear();
  }

  private write(kind: string, known: Kind): void {
    clearTimeout(known.timer);
    known.timer = undefined;
    if (known.counted > 0) known.summarise(known.counted);
    known.counted = 0;
    // Its window is over (the timer fires at its end): the next of its kind is written as a first again.
    if (this.kinds.get(kind) === known) this.kinds.delete(kind);
  }
}

/**
 * How many replacement workers the primary may fork within a window before it gives up: a crash loop (every worker
 * dies at start, or soon after) stops the server instead of forking for ever; a stray kill now and then does not.
 */
export class RespawnBudget {
  private readonly respawns: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Counts one respawn at `now` (monotonic: a wall clock stepped back kept every respawn in the window); true when it holds more than `max`. */
  exceeded(now = performance.now()): boolean {
    this.respawns.push(now);
    while (this.respawns.length > 0 && this.respawns[0]! < now - this.windowMs) this.respawns.shift();
    return this.respawns.length > this.max;
  }

  /** Respawns within the window, as of the last one counted. */
  get count(): number {
    return this.respawns.length;
  }
}

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

  /** Counts one respawn at `now`; true when the window now holds more than `max`. */
  exceeded(now = Date.now()): boolean {
    this.respawns.push(now);
    while (this.respawns.length > 0 && this.respawns[0]! < now - this.windowMs) this.respawns.shift();
    return this.respawns.length > this.max;
  }

  /** Respawns within the window, as of the last one counted. */
  get count(): number {
    return this.respawns.length;
  }
}

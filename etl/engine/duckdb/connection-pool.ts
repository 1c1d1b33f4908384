import { EngineClosedError } from '../engine-errors';

/**
 * A fixed set of connections lent out one query at a time; callers beyond the
 * set wait in arrival order.
 */
export class ConnectionPool<C> {
  private readonly idle: C[];
  private readonly waiting: Array<(connection: C) => void> = [];
  private closed = false;

  constructor(private readonly all: C[]) {
    if (all.length === 0) throw new RangeError('a connection pool needs at least one connection; received 0');
    this.idle = [...all];
  }

  async use<T>(work: (connection: C) => Promise<T>): Promise<T> {
    const connection = await this.acquire();
    try {
      return await work(connection);
    } finally {
      this.release(connection);
    }
  }

  /** Connections no caller holds right now (work on them cannot overlap a query). */
  idleNow(): readonly C[] {
    return this.idle;
  }

  async close(closeOne: (connection: C) => void): Promise<void> {
    this.closed = true;
    // Private: wait for lent connections to come back so in-flight queries finish first.
    while (this.idle.length < this.all.length) await new Promise((r) => setTimeout(r, 5));
    this.all.forEach(closeOne);
  }

  private acquire(): Promise<C> {
    if (this.closed) return Promise.reject(new EngineClosedError());
    const connection = this.idle.pop();
    if (connection !== undefined) return Promise.resolve(connection);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(connection: C): void {
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }
}

import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { StatementGate } from './statement-gate';

/**
 * A build's DuckDB: an in-memory instance started once, beside other start-up
 * work, its connections reused (opening one costs the main thread ~0.5 ms),
 * and its statements run through the gate (statement-gate.ts).
 */
export class BuildConnections {
  private instance?: DuckDBInstance;
  /** Connections done with their work, for the next statement. */
  private readonly idle: DuckDBConnection[] = [];
  private readonly gate = new StatementGate();
  private started: Promise<void> = Promise.resolve();
  /** Private: settles once DuckDB has started; statements wait for this only, not for the work beside it. */
  private opened: Promise<void> = Promise.resolve();
  /** Private: why the work beside DuckDB's start failed, once it has: no statement starts after that. */
  private failed?: { reason: unknown };

  /**
   * Holds the instance `starting` once it and `alongside` (other start-up work) have settled; fails if
   * either failed (a started instance is still held, for close()). Statements wait for DuckDB only: on
   * the real data clearing dead builds' leftovers took 10-25 ms of file calls between the parse's blocks.
   */
  start(starting: Promise<DuckDBInstance>, alongside: Promise<void>): void {
    this.opened = starting.then((instance) => void (this.instance = instance));
    const beside = alongside.catch((reason: unknown) => {
      this.failed = { reason };
      throw reason;
    });
    this.started = (async () => {
      const [done, opened] = await Promise.allSettled([beside, this.opened]);
      if (done.status === 'rejected') throw done.reason;
      if (opened.status === 'rejected') throw opened.reason;
    })();
    // Awaited by ready() and run(); until then a failure must not count as unhandled.
    this.started.catch(() => undefined);
    this.opened.catch(() => undefined);
  }

  /** Settles once start() has: DuckDB started and the work beside it done. */
  ready(): Promise<void> {
    return this.started;
  }

  /** Runs `work` on a connection of its own; `retryable` work runs again alone if DuckDB runs out of memory beside other statements. */
  async run<T>(work: (connection: DuckDBConnection) => Promise<T>, retryable = false): Promise<T> {
    await this.opened;
    if (this.failed) throw this.failed.reason;
    return this.gate.run(() => this.onOwnConnection(work), retryable);
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.closeSync();
    this.instance?.closeSync();
    this.instance = undefined;
  }

  private async onOwnConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (!this.instance) throw new Error('BuildConnections used before start()');
    const connection = this.idle.pop() ?? (await this.instance.connect());
    let result: T;
    try {
      result = await work(connection);
    } catch (error) {
      // Private: a connection whose work failed is not reused.
      connection.closeSync();
      throw error;
    }
    this.idle.push(connection);
    return result;
  }
}

import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueryOptions } from '../engine';
import { EngineClosedError, spillFolderError } from '../engine-errors';
import { type DuckDbInstanceOptions, type OpenedDuckDb, openDuckDb } from './duckdb-instance';
import { PreparedStatements } from './prepared-statements';
import { withDeadline } from './query-deadline';

export interface DuckDbConnectionsOptions extends DuckDbInstanceOptions {
  queryTimeoutMs?: number;
}

/**
 * The engine's DuckDB instance, started once (at open, or on the first query when lazy), and its connections,
 * each lent under a time limit and holding its own prepared statements.
 */
export class DuckDbConnections {
  /** Each connection's prepared statements; the generation counts drops of versions' views (their statements go too). */
  private readonly statements = new WeakMap<DuckDBConnection, PreparedStatements>();
  private viewsGeneration = 0;
  private opened?: Promise<OpenedDuckDb>;
  private closed = false;

  constructor(private readonly options: DuckDbConnectionsOptions) {}

  /** The DuckDB instance and its connections, started once. */
  start(): Promise<OpenedDuckDb> {
    if (this.closed) return Promise.reject(new EngineClosedError());
    this.opened ??= openDuckDb(this.options);
    return this.opened;
  }

  async use<T>(options: QueryOptions, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const { pool, spillDir } = await this.start();
    try {
      return await pool.use((connection) => withDeadline(connection, options, this.options.queryTimeoutMs, () => work(connection)));
    } catch (error) {
      // DuckDB says "Out of Memory Error" of a spill its folder's disk cannot take: said as the full disk it is.
      throw spillFolderError(error, spillDir) ?? error;
    }
  }

  statementsOf(connection: DuckDBConnection): PreparedStatements {
    let statements = this.statements.get(connection);
    if (!statements) this.statements.set(connection, (statements = new PreparedStatements(connection, () => this.viewsGeneration)));
    return statements;
  }

  /** Every prepared statement goes: a version's views were dropped or its files are about to be (a statement over a Parquet file holds it open). */
  async dropStatements(): Promise<void> {
    this.viewsGeneration += 1;
    // Idle connections let go now; lent ones as their query ends (PreparedStatements.run).
    const opened = await this.opened?.catch(() => undefined);
    for (const connection of opened?.pool.idleNow() ?? []) this.statements.get(connection)?.dropIfStale();
  }

  async close(): Promise<void> {
    this.closed = true;
    const opened = await this.opened?.catch(() => undefined);
    if (!opened) return;
    await opened.pool.close((connection) => {
      this.statements.get(connection)?.clear();
      connection.closeSync();
    });
    opened.instance.closeSync();
  }
}

import type { DuckDBConnection, DuckDBMaterializedResult, DuckDBPreparedStatement, DuckDBType } from '@duckdb/node-api';
import type { SqlValue } from '../engine';
import { parameterTypes } from './parameter-types';
import { refuseUnpairedSurrogates } from '../text-parameters';

/** Statements kept per connection: the served queries have a few dozen shapes (a new version's views make new ones). */
export const STATEMENTS_PER_CONNECTION = 64;

/**
 * One connection's prepared statements by SQL text, least recently used out
 * first. A served request runs the same few query shapes with new values: a
 * kept statement skips DuckDB's parse, bind and plan and two of the three
 * hops through libuv's thread pool a query took (extract, prepare, execute). Values are still only ever bound, never written into the text.
 *
 * `generation` changes whenever the engine drops a version's views or a
 * version expires: every statement prepared before is destroyed when the
 * connection is next idle or used (its plan would name views that are gone,
 * and a statement over a Parquet file holds that file open).
 */
export class PreparedStatements {
  private readonly statements = new Map<string, DuckDBPreparedStatement>();
  private generation: number;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly currentGeneration: () => number,
    private readonly max = STATEMENTS_PER_CONNECTION,
  ) {
    this.generation = currentGeneration();
  }

  get size(): number {
    return this.statements.size;
  }

  /** Runs `sql` with `params`; only while the connection is lent to the caller. */
  async run(sql: string, params: readonly SqlValue[]): Promise<DuckDBMaterializedResult> {
    refuseUnpairedSurrogates(params);
    this.dropIfStale();
    const statement = await this.statement(sql);
    // Text DuckDB cannot prepare as one statement (several, or an error): the plain path, with its own messages.
    if (!statement) return this.connection.run(sql, params as SqlValue[], parameterTypes(params) as DuckDBType[] | undefined);
    try {
      if (params.length > 0) statement.bind(params as SqlValue[], parameterTypes(params) as DuckDBType[] | undefined);
      const result = await statement.run();
      // A kept statement does not keep its values (a nested page binds up to 10,000 serials).
      statement.clearBindings();
      return result;
    } catch (error) {
      // Interrupted, or a version gone under it: prepare afresh next time.
      this.forget(sql);
      throw error;
    } finally {
      // A version expired while this ran: its files are let go before the connection goes back to the pool.
      this.dropIfStale();
    }
  }

  /** Destroys every kept statement (the connection is closing). */
  clear(): void {
    for (const statement of this.statements.values()) statement.destroySync();
    this.statements.clear();
  }

  private async statement(sql: string): Promise<DuckDBPreparedStatement | undefined> {
    const kept = this.statements.get(sql);
    if (kept) {
      this.statements.delete(sql);
      this.statements.set(sql, kept);
      return kept;
    }
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = await this.connection.prepare(sql);
    } catch (error) {
      // Cut off by the caller's time limit: running it the plain way would run past that limit.
      if (/interrupt/i.test((error as Error)?.message ?? '')) throw error;
      return undefined;
    }
    this.statements.set(sql, prepared);
    if (this.statements.size > this.max) this.forget(this.statements.keys().next().value as string);
    return prepared;
  }

  private forget(sql: string): void {
    this.statements.get(sql)?.destroySync();
    this.statements.delete(sql);
  }

  /** Destroys every kept statement if the generation changed since they were prepared; only while the connection is lent or idle. */
  dropIfStale(): void {
    const now = this.currentGeneration();
    if (now === this.generation) return;
    this.clear();
    this.generation = now;
  }
}

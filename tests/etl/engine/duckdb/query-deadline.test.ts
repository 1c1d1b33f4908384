import { DuckDBInstance } from '@duckdb/node-api';
import { QueryTimeoutError } from '../../../../etl/engine/engine-errors';
import { withDeadline } from '../../../../etl/engine/duckdb/query-deadline';

/**
 * A statement's time limit and its client's abort hold even when the first
 * interrupt comes before DuckDB has begun the statement, which DuckDB drops.
 */

// Long enough that running to its end would outlast the test's timeout many times over.
const ENDLESS = 'SELECT count(*) FROM range(100000000000) AS a(i) WHERE i % 7 = 3';

describe('a query deadline on DuckDB', () => {
  let instance: DuckDBInstance;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  });
  afterAll(() => instance.closeSync());

  it('stops a statement whose first interrupt came before the statement began', async () => {
    const connection = await instance.connect();
    try {
      // The time limit passes before the statement is sent: the first interrupt finds nothing running.
      const stopped = withDeadline(connection, { timeoutMs: 1 }, undefined, async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return connection.runAndReadAll(ENDLESS);
      });
      await expect(stopped).rejects.toBeInstanceOf(QueryTimeoutError);
    } finally {
      connection.closeSync();
    }
  });

  it('stops a statement whose client went away before the statement began', async () => {
    const connection = await instance.connect();
    const gone = new AbortController();
    try {
      const stopped = withDeadline(connection, { signal: gone.signal }, undefined, async () => {
        gone.abort();
        await new Promise((resolve) => setTimeout(resolve, 30));
        return connection.runAndReadAll(ENDLESS);
      });
      await expect(stopped).rejects.toThrow();
      // The connection serves the next statement as usual.
      expect((await connection.runAndReadAll('SELECT 1 AS one')).getRowObjectsJS()).toEqual([{ one: 1 }]);
    } finally {
      connection.closeSync();
    }
  });
});

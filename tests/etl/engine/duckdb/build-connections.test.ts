import { DuckDBInstance } from '@duckdb/node-api';
import { BuildConnections } from '../../../../etl/engine/duckdb/build-connections';

/**
 * A build's statements start once DuckDB has, without waiting for the work started beside it (clearing dead
 * builds' leftovers); a failure of that work stops every statement after it, and publishing waits for both.
 */

const one = async (connections: BuildConnections): Promise<number> => connections.run(async (c) => Number((await c.runAndReadAll('SELECT 1')).getRows()[0][0]));

describe("a build's DuckDB connections", () => {
  const held: BuildConnections[] = [];
  afterEach(() => held.splice(0).forEach((c) => c.close()));
  const started = (alongside: Promise<void>): BuildConnections => {
    const connections = new BuildConnections();
    connections.start(DuckDBInstance.create(':memory:'), alongside);
    held.push(connections);
    return connections;
  };

  it('runs statements while the work beside the start is still under way, and is ready only once it is done', async () => {
    let finish!: () => void;
    const connections = started(new Promise<void>((resolve) => (finish = resolve)));
    expect(await one(connections)).toBe(1);
    let ready = false;
    const readiness = connections.ready().then(() => (ready = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBe(false);
    finish();
    await readiness;
    expect(ready).toBe(true);
  });

  it('refuses statements once the work beside the start has failed, with its error, and so does readiness', async () => {
    const refusal = new Error('EACCES: permission denied, rmdir dead build');
    let fail!: (error: Error) => void;
    const connections = started(new Promise<void>((_, reject) => (fail = reject)));
    expect(await one(connections)).toBe(1);
    fail(refusal);
    await expect(connections.ready()).rejects.toBe(refusal);
    await expect(one(connections)).rejects.toBe(refusal);
  });
});

import type { Engine } from '../../etl/engine/engine';

export interface CountingEngine {
  engine: Engine;
  /** Every SQL text passed to query(), in order. */
  queries: string[];
  /** Every parameter list passed to query(), in order. */
  params: unknown[][];
}

/** Wraps an engine so a test can count (and inspect) the queries the API sends it. */
export function countingEngine(inner: Engine): CountingEngine {
  const queries: string[] = [];
  const params: unknown[][] = [];
  const engine = Object.create(inner) as Engine;
  engine.query = (sql, values, options) => {
    queries.push(sql);
    params.push(values ?? []);
    return inner.query(sql, values, options);
  };
  return { engine, queries, params };
}

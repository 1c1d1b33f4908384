import { setFlagsFromString } from 'node:v8';
import { DuckDBInstance } from '@duckdb/node-api';
import { columnArray } from '../../../etl/engine/column-arrays';
import { readColumns } from '../../../etl/engine/duckdb/column-reader';
import { firstRows } from '../../../src/graphql/edges-text';

// V8's own check of two objects' hidden class (map): code compiled for one map deoptimises on another.
setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;

const filled = (values: readonly unknown[]): unknown[] => {
  const column = columnArray(values.length);
  values.forEach((v, i) => (column[i] = v));
  return column;
};

describe('result columns as the compiled page writers read them', () => {
  it('makes columns of whole numbers, fractions, epoch milliseconds, strings and nulls one kind of array', () => {
    const kinds = [[0, 1, 2, 900], [0.25, -1.5, 3, 1e12], [1_655_564_000_000, 1_655_564_001_000], ['a', 'b'], ['c', null], [null, 0.5]].map(filled);
    for (const column of kinds) expect(sameMap(kinds[0], column)).toBe(true);
    // Cut as a page is cut (rows start..end copied, or the array shortened).
    const times = kinds[2];
    expect(sameMap(times, times.slice(1))).toBe(true);
    times.length = 1;
    expect(sameMap(kinds[0], times)).toBe(true);
  });

  it('reads DuckDB columns of whole numbers, fractions and text into that one kind of array', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const read = async (sql: string) => readColumns(await connection.run(sql)).columns;
      const columns = [
        ...(await read('SELECT x::DOUBLE, x::BIGINT FROM range(3) AS t(x)')),
        ...(await read("SELECT x / 4 + 0.5, 1655564000000 + x, 'serial-' || x FROM range(3) AS t(x)")),
      ];
      for (const column of columns) expect(sameMap(columns[0], column)).toBe(true);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('makes the rows of a page written ahead the same kind of array as the rows a request shows', () => {
    // visibleRows (connection.ts) sizes its array, fills it and shortens it.
    const shown = new Array<number>(4);
    for (let i = 0; i < 3; i += 1) shown[i] = i;
    shown.length = 3;
    expect(sameMap(firstRows(3), shown)).toBe(true);
    expect(sameMap(firstRows(3), Uint32Array.from([0, 1, 2]))).toBe(false);
  });
});

import { setFlagsFromString } from 'node:v8';
import { DuckDBInstance } from '@duckdb/node-api';
import { columnArray } from '../../../etl/engine/column-arrays';
import { readColumns } from '../../../etl/engine/duckdb/column-reader';
import { firstRows } from '../../../src/graphql/edges-text';

// V8's own check of two objects' hidden class (map): code compiled for one map deoptimises on another.
setFlagsFromString('--allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;

const filled = (values: readonly unknown[], numbers: boolean): unknown[] => {
  const column = columnArray(values.length, numbers);
  values.forEach((v, i) => (column[i] = v));
  return column;
};

describe('result columns as the compiled page writers read them', () => {
  it('makes a column of whole numbers and one of fractions the same kind of array', () => {
    expect(sameMap(filled([0, 1, 2, 900], true), filled([0.25, -1.5, 3, 1e12], true))).toBe(true);
    // A column of epoch milliseconds (beyond small integers) too, and its slices and shortened copies.
    const times = filled([1_655_564_000_000, 1_655_564_001_000, 1_655_564_002_000], true);
    expect(sameMap(filled([1, 2, 3], true), times)).toBe(true);
    expect(sameMap(times, times.slice(1))).toBe(true);
  });

  it('reads DuckDB columns of whole and fractional numbers into the same kind of array', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const read = async (sql: string) => readColumns(await connection.run(sql)).columns;
      const [wholeDoubles, smallInts] = await read('SELECT x::DOUBLE, x::BIGINT FROM range(3) AS t(x)');
      const [fractions, times] = await read('SELECT x / 4 + 0.5, 1655564000000 + x FROM range(3) AS t(x)');
      expect(sameMap(wholeDoubles, fractions)).toBe(true);
      expect(sameMap(smallInts, times)).toBe(true);
      expect(sameMap(smallInts, fractions)).toBe(true);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('leaves a column of other values an array of values, as the engine fills it', () => {
    expect(sameMap(filled(['a', 'b'], false), filled(['c', null], false))).toBe(true);
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

import type { ColumnarResult, Engine } from '../../etl/engine/engine';
import { queryColumns, sliceColumns } from '../../src/graphql/engine-columns';

describe('a page read as columns', () => {
  it("is an engine's rows turned into columns when it has no columnar read (Athena)", async () => {
    const rowsOnly = { query: async () => [{ serialNumber: 'a', t: 1, v: 1 }, { serialNumber: null, t: 2, v: 0.5 }] } as unknown as Engine;
    expect(await queryColumns(rowsOnly, 'SELECT 1', [], {})).toEqual({ rowCount: 2, columns: { serialNumber: ['a', null], t: [1, 2], v: [1, 0.5] } });
    const empty = { query: async () => [] } as unknown as Engine;
    expect(await queryColumns(empty, 'SELECT 1', [], {})).toEqual({ rowCount: 0, columns: {} });
  });

  it('slices rows start..end into arrays of their own, the count cut at the end of the result', () => {
    const result: ColumnarResult = { rowCount: 3, columns: { t: [1, 2, 3], v: ['x', 'y', 'z'] } };
    const tail = sliceColumns(result, 1, 10);
    expect(tail).toEqual({ rowCount: 2, columns: { t: [2, 3], v: ['y', 'z'] } });
    tail.columns.t[0] = 99;
    expect(result.columns.t).toEqual([1, 2, 3]);
  });
});

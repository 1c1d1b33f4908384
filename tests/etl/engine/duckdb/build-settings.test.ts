import { buildShape, CONCURRENT_BELOW_BYTES } from '../../../../etl/engine/duckdb/build-settings';

describe("a DuckDB build's shape by its landing's size", () => {
  it('runs a small landing two statements at a time, each on one thread, zones side by side', () => {
    expect(buildShape(CONCURRENT_BELOW_BYTES - 1, undefined)).toEqual({ threads: 1, concurrentSteps: 2, concurrentZones: undefined });
  });

  it('runs a large landing one zone at a time on every core, its checks beside it', () => {
    expect(buildShape(CONCURRENT_BELOW_BYTES, undefined)).toEqual({ threads: undefined, concurrentSteps: 2, concurrentZones: 1 });
  });

  it('runs a rebuild inside the server (never measured) one statement at a time', () => {
    expect(buildShape(undefined, undefined)).toEqual({ threads: undefined });
  });

  it('keeps the threads a caller gives, whatever the size', () => {
    expect(buildShape(1, 3).threads).toBe(3);
    expect(buildShape(undefined, 3).threads).toBe(3);
  });
});

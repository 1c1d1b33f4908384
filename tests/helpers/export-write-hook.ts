import type { Engine } from '../../etl/engine/engine';

/**
 * An engine wrapper for `wrapEngine` (http-app.ts): after each export file the engine writes, and before the export
 * reads it, `afterWrite` runs with the write's number (1 for the first), so a test can change consent just then.
 */
export const afterExportWrites =
  (afterWrite: (write: number) => Promise<void>) =>
  (engine: Engine): Engine => {
    let writes = 0;
    return new Proxy(engine, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property !== 'exportToFile') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<Engine['exportToFile']>) => {
          const rows = await target.exportToFile(...args);
          writes += 1;
          await afterWrite(writes);
          return rows;
        };
      },
    });
  };

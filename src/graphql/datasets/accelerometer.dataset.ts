import { AccelerometerReading } from '../types/accelerometer-reading.type';
import { serialAsUuid } from '../engine-columns';
import { type Dataset, col, selectAs } from './dataset';
import { storesColumn } from './stored-columns';

const A = 'accelerometer_trusted';
const serial = col('a', A, 'serialNumber');

/**
 * Accelerometer readings, keyed by their customer's serialNumber, which the
 * build stores beside the email (`user`), sorted by the keyset: a page reads
 * neighbouring rows and no join. Answers and cursors never hold the email.
 */
export const accelerometerDataset: Dataset<AccelerometerReading> = {
  kind: 'AccelerometerReading',
  from: async (engine, version) => {
    const readings = await engine.tableRef(A, version);
    // Known from the version's load where the engine keeps it (no probe query on a version's first page).
    const stored = engine.storedColumns?.(A, version)?.includes('serialNumber') ?? (await storesColumn(engine, version, readings, 'serialNumber'));
    if (stored) return `${readings} AS a`;
    // A version built before the serialNumber was stored: the same rows through the join it replaced.
    const customers = await engine.tableRef('customer_trusted', version);
    return `(SELECT r.*, c."serialNumber" FROM ${readings} AS r INNER JOIN ${customers} AS c ON r."user" = c."email") AS a`;
  },
  select: selectAs('a', A, ['serialNumber', 'timestamp', 'x', 'y', 'z']),
  // A bulk page's 10,000 serials read as UUIDs, not as strings one native call each.
  columnarSelect: `${serialAsUuid(serial)}, ${selectAs('a', A, ['timestamp', 'x', 'y', 'z'])}`,
  key: [
    { expr: serial, name: 'serialNumber', type: 'string' },
    { expr: col('a', A, 'timestamp'), name: 'timestamp', type: 'integer' },
    { expr: col('a', A, 'x'), name: 'x', type: 'number' },
    { expr: col('a', A, 'y'), name: 'y', type: 'number' },
    { expr: col('a', A, 'z'), name: 'z', type: 'number' },
  ],
  serialExpr: serial,
  timeExpr: col('a', A, 'timestamp'),
  fromRow: AccelerometerReading.fromRow,
  boundedPages: true,
  // Stored sorted by the keyset (serialNumber materialised): a bounded page is read unsorted and checked (stored-order-read.ts).
  storedInKeyOrder: true,
  selectWithoutSerial: selectAs('a', A, ['timestamp', 'x', 'y', 'z']),
  // As AccelerometerReading.fromRow copies them: a bulk page's edges are written from its columns (rendered-edges.ts).
  fieldColumns: { serialNumber: 'serialNumber', timestamp: 'timestamp', timestampIso: 'timestamp', x: 'x', y: 'y', z: 'z' },
};

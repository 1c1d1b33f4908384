import { AccelerometerReading } from '../types/accelerometer-reading.type';
import { type Dataset, col, selectAs } from './dataset';

const A = 'accelerometer_trusted';
const serial = col('c', 'customer_trusted', 'serialNumber');

/**
 * Accelerometer readings carry the customer's email as `user`; they are
 * joined to customer_trusted of the same version for the serialNumber, so
 * answers and cursors never hold the email.
 */
export const accelerometerDataset: Dataset<AccelerometerReading> = {
  kind: 'AccelerometerReading',
  from: async (engine, version) =>
    `${await engine.tableRef(A, version)} AS a INNER JOIN ${await engine.tableRef('customer_trusted', version)} AS c ON ${col('a', A, 'user')} = ${col('c', 'customer_trusted', 'email')}`,
  select: `${serial} AS "serialNumber", ${selectAs('a', A, ['timestamp', 'x', 'y', 'z'])}`,
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
};

import { TABLES } from '../../../etl/tables';
import { Customer } from '../types/customer.type';
import { type Dataset, col, selectAs } from './dataset';

const C = 'customer_curated';

/** Customers of the curated zone, ordered by serialNumber. */
export const customerDataset: Dataset<Customer> = {
  kind: 'Customer',
  from: async (engine, version) => `${await engine.tableRef(C, version)} AS cu`,
  select: selectAs('cu', C, TABLES[C].columns.map((c) => c.name)),
  key: [{ expr: col('cu', C, 'serialNumber'), name: 'serialNumber', type: 'string' }],
  serialExpr: col('cu', C, 'serialNumber'),
  timeExpr: col('cu', C, 'registrationDate'),
  fromRow: Customer.fromRow,
  held: { table: C, timeColumn: 'registrationDate' },
};

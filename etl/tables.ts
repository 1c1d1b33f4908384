/**
 * The lake's catalogue: every table, its zone, where it lives and its declared
 * schema. Both engines and the API read names and types from here, so the
 * schema is declared once and never inferred from the data.
 */

export type Zone = 'landing' | 'trusted' | 'curated';
export type Source = 'customer' | 'accelerometer' | 'step_trainer';
export type ColumnType = 'VARCHAR' | 'BIGINT' | 'DOUBLE';

export interface Column {
  name: string;
  type: ColumnType;
  /** Landing rows missing this field, or holding null, are quarantined. */
  required: boolean;
  /** Landing rows whose string here is longer than this many UTF-8 bytes are quarantined. */
  maxBytes?: number;
  /** A consent date in epoch milliseconds: landing rows holding one below MIN_EPOCH_MS (landing-rules.ts), a date in seconds, are quarantined. */
  epochMs?: true;
  /** A customer's serialNumber: landing rows holding a character outside visible ASCII (`!` to `~`) here are quarantined (serial-spelling.ts). */
  visibleAscii?: true;
}

/**
 * The longest serialNumber a landing record may carry. The API pages by serial and looks one up by it
 * (`customer(serialNumber:)` takes up to 200 characters): a longer one would make cursors no page could take back.
 */
export const MAX_SERIAL_BYTES = 200;

export const SOURCES: readonly Source[] = ['customer', 'accelerometer', 'step_trainer'];

export const TABLE_NAMES = [
  'customer_landing',
  'accelerometer_landing',
  'step_trainer_landing',
  'customer_trusted',
  'accelerometer_trusted',
  'step_trainer_trusted',
  'customer_curated',
  'machine_learning_curated',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** Tables a build writes; the landing tables are read from the landing JSON. */
export const BUILT_TABLES = [
  'customer_trusted',
  'accelerometer_trusted',
  'step_trainer_trusted',
  'customer_curated',
  'machine_learning_curated',
] as const satisfies readonly TableName[];
export type BuiltTable = (typeof BUILT_TABLES)[number];

export interface TableSpec {
  name: TableName;
  zone: Zone;
  /** Folder in the bucket layout: `<folder>/<zone>/`. */
  folder: Source | 'machine_learning';
  columns: readonly Column[];
  /** Columns whose combination is unique in the table (checked after each build). */
  key: readonly string[];
  /**
   * The order the API pages the table in, when it is not `key`: a build writes
   * the table sorted this way, so a keyset page reads a few neighbouring row groups.
   */
  order?: readonly string[];
  /**
   * Columns a served version leaves out of memory once its file holds the
   * whole `order` (the API reads the table in that order and never reads these).
   */
  unserved?: readonly string[];
}

/**
 * The order a built table is written and loaded in. Given the columns a stored
 * file has, a file written before its order's columns existed (a version built
 * by an older release) is loaded by its key instead.
 */
export function storageOrder(table: TableName, stored?: readonly string[]): readonly string[] {
  const { order, key } = TABLES[table];
  if (!order || (stored && !order.every((c) => stored.includes(c)))) return key;
  return order;
}

/** The columns a server loads of a stored file holding `stored`. */
export function servedColumns(table: TableName, stored: readonly string[]): readonly string[] {
  const { unserved = [] } = TABLES[table];
  const ordered = storageOrder(table, stored) === TABLES[table].order;
  return TABLES[table].columns.map((c) => c.name).filter((c) => stored.includes(c) && !(ordered && unserved.includes(c)));
}

const req = (name: string, type: ColumnType): Column => ({ name, type, required: true });
const opt = (name: string, type: ColumnType): Column => ({ name, type, required: false });
// A customer's dates decide consent: one written in seconds would lose a revocation to an older grant in milliseconds.
const date = (column: Column): Column => ({ ...column, epochMs: true });

const CUSTOMER_COLUMNS: readonly Column[] = [
  req('customerName', 'VARCHAR'),
  req('email', 'VARCHAR'),
  opt('phone', 'VARCHAR'),
  opt('birthDay', 'VARCHAR'),
  { ...req('serialNumber', 'VARCHAR'), maxBytes: MAX_SERIAL_BYTES, visibleAscii: true },
  date(req('registrationDate', 'BIGINT')),
  date(req('lastUpdateDate', 'BIGINT')),
  date(opt('shareWithResearchAsOfDate', 'BIGINT')),
  date(opt('shareWithPublicAsOfDate', 'BIGINT')),
  date(opt('shareWithFriendsAsOfDate', 'BIGINT')),
];
const ACCELEROMETER_COLUMNS: readonly Column[] = [
  req('user', 'VARCHAR'),
  req('timestamp', 'BIGINT'),
  req('x', 'DOUBLE'),
  req('y', 'DOUBLE'),
  req('z', 'DOUBLE'),
];
// Private: the trusted readings also carry their customer's serialNumber (from customer_trusted, where
// one email holds it), so the API pages them in its key order without a join. Appended: readers by name keep working.
const ACCELEROMETER_TRUSTED_COLUMNS: readonly Column[] = [...ACCELEROMETER_COLUMNS, req('serialNumber', 'VARCHAR')];
const STEP_TRAINER_COLUMNS: readonly Column[] = [
  req('sensorReadingTime', 'BIGINT'),
  { ...req('serialNumber', 'VARCHAR'), maxBytes: MAX_SERIAL_BYTES },
  req('distanceFromObject', 'BIGINT'),
];
const ML_COLUMNS: readonly Column[] = [
  req('serialNumber', 'VARCHAR'),
  req('email', 'VARCHAR'),
  req('sensorReadingTime', 'BIGINT'),
  req('distanceFromObject', 'BIGINT'),
  req('x', 'DOUBLE'),
  req('y', 'DOUBLE'),
  req('z', 'DOUBLE'),
];

export const TABLES: Readonly<Record<TableName, TableSpec>> = {
  customer_landing: { name: 'customer_landing', zone: 'landing', folder: 'customer', columns: CUSTOMER_COLUMNS, key: [] },
  accelerometer_landing: { name: 'accelerometer_landing', zone: 'landing', folder: 'accelerometer', columns: ACCELEROMETER_COLUMNS, key: [] },
  step_trainer_landing: { name: 'step_trainer_landing', zone: 'landing', folder: 'step_trainer', columns: STEP_TRAINER_COLUMNS, key: [] },
  customer_trusted: { name: 'customer_trusted', zone: 'trusted', folder: 'customer', columns: CUSTOMER_COLUMNS, key: ['email'] },
  accelerometer_trusted: {
    name: 'accelerometer_trusted',
    zone: 'trusted',
    folder: 'accelerometer',
    columns: ACCELEROMETER_TRUSTED_COLUMNS,
    key: ['user', 'timestamp', 'x', 'y', 'z'],
    order: ['serialNumber', 'timestamp', 'x', 'y', 'z'],
    // The API keys readings by serialNumber and never returns the email: a server need not hold 4 million of them.
    unserved: ['user'],
  },
  step_trainer_trusted: {
    name: 'step_trainer_trusted',
    zone: 'trusted',
    folder: 'step_trainer',
    columns: STEP_TRAINER_COLUMNS,
    key: ['serialNumber', 'sensorReadingTime'],
    order: ['serialNumber', 'sensorReadingTime', 'distanceFromObject'],
  },
  customer_curated: { name: 'customer_curated', zone: 'curated', folder: 'customer', columns: CUSTOMER_COLUMNS, key: ['email'], order: ['serialNumber'] },
  machine_learning_curated: {
    name: 'machine_learning_curated',
    zone: 'curated',
    folder: 'machine_learning',
    columns: ML_COLUMNS,
    key: ['email', 'sensorReadingTime', 'x', 'y', 'z'],
    order: ['serialNumber', 'sensorReadingTime', 'x', 'y', 'z'],
  },
};

/**
 * Emails whose consent a quarantined customer line makes uncertain (one
 * column, "email"), written beside customer_landing by the landing reader.
 * Not a catalogue table: it lives only while a build runs.
 */
export const CONSENT_UNCERTAIN_TABLE = 'consent_uncertain';

export const landingTableOf = (source: Source): TableName => `${source}_landing`;

/**
 * Athena lower-cases every column name; this maps a lower-cased name back to
 * the schema's spelling (unknown names pass through unchanged).
 */
const CANONICAL_COLUMN = new Map<string, string>(
  Object.values(TABLES).flatMap((t) => t.columns.map((c) => [c.name.toLowerCase(), c.name] as const)),
);
export function canonicalColumnName(name: string): string {
  return CANONICAL_COLUMN.get(name.toLowerCase()) ?? name;
}

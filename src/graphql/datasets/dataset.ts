import type { Engine, Row } from '../../../etl/engine/engine';
import { type BuiltTable, TABLES, type TableName } from '../../../etl/tables';
import type { CursorKind, KeyType } from '../cursor';
import type { SplitName } from '../split';

/**
 * How one kind of node is read: its FROM clause for a version, the columns it
 * selects, its total order (the keyset) and the expressions filters apply to.
 * Every identifier here is fixed text from the catalogue's column names.
 */
export interface Node {
  serialNumber: string;
  version: string;
  email?: string | null;
}

export interface KeyColumn {
  /** The expression in WHERE and ORDER BY (qualified). */
  expr: string;
  /** The column name in result rows, and the node property of the same name. */
  name: string;
  type: KeyType;
}

export interface Dataset<N extends Node> {
  kind: CursorKind;
  from(engine: Engine, version: string): Promise<string>;
  /** `expr AS "name"` items. */
  select: string;
  /** The select of a bulk page read as columns, when it differs from `select` (the same columns and values: engine-columns.ts, serialAsUuid). */
  columnarSelect?: string;
  key: readonly KeyColumn[];
  serialExpr: string;
  /** The epoch-millisecond column `from`/`to` filter. */
  timeExpr: string;
  fromRow(row: Row, version: string): N;
  /** The stored table an engine may hold in memory (Engine.heldPage), and the column `from`/`to` filter; its rows are the select's. */
  held?: { table: BuiltTable; timeColumn: string };
  /** Pulled whole by its clients (a notebook's training set): a first bulk page reads the next one ahead (page-read-ahead.ts). */
  pulledWhole?: boolean;
  /** A large table: top-level pages are bounded by rows per serial (page-bound.ts). */
  boundedPages?: boolean;
  /**
   * The result column of each node field `fromRow` copies unchanged (serialNumber among them): a bulk page's
   * consent check and its edges' JSON read these columns, and make a node only for what is read of it.
   */
  fieldColumns?: Readonly<Record<string, string>> & { serialNumber: string };
  /** Its stored rows are in key order (one table, sorted when built): a bounded bulk page may read them unsorted (stored-order-read.ts). */
  storedInKeyOrder?: boolean;
  /** `select` without its serialNumber item: a stored-order page whose engine has a text key reads the serial as that key (page-query.ts, page-bound.ts's serialKeys). */
  selectWithoutSerial?: string;
}

/** A filter, already validated; every value is bound as a parameter. */
export interface DatasetFilter {
  serialNumber?: string | null;
  /** A top-level page's serialNumber argument as the spellings it may be stored under (serial-argument.ts); the SQL matches these. */
  serialSpellings?: readonly string[];
  from?: number | null;
  to?: number | null;
  split?: SplitName;
  splitSeed?: string;
}

/** A stable text of a filter, for loader and cache keys. */
export const filterKey = (f: DatasetFilter): string =>
  JSON.stringify([f.serialNumber ?? null, f.from ?? null, f.to ?? null, f.split ?? null, f.split ? (f.splitSeed ?? null) : null]);

export const q = (name: string): string => `"${name}"`;

/** `alias."name"`, for a column the catalogue declares on `table` (checked when the module loads). */
export function col(alias: string, table: TableName, name: string): string {
  if (!TABLES[table].columns.some((c) => c.name === name)) throw new Error(`the catalogue declares no column ${name} on ${table}`);
  return `${alias}.${q(name)}`;
}

/** `expr AS "name"` items for columns of one table alias. */
export const selectAs = (alias: string, table: TableName, names: readonly string[]): string => names.map((n) => `${col(alias, table, n)} AS ${q(n)}`).join(', ');

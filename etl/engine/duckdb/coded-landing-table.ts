import bindings from '@duckdb/node-bindings';
import { BIGINT, DOUBLE, type DuckDBAppender, type DuckDBConnection, DuckDBDataChunk, type DuckDBType, UINTEGER, VARCHAR } from '@duckdb/node-api';
import { BATCH_ROWS, type ColumnBatch } from '../../landing/column-batches';
import type { Column } from '../../tables';

/**
 * A landing table filled from column batches by memory copy. Each string
 * column is stored as a code into a dictionary table of its distinct values
 * (a landing source repeats a few thousand users and devices millions of
 * times), so no row costs a call into DuckDB per string; `table` is a view
 * that joins the codes back to their values, with the declared columns.
 */

const q = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

const codesOf = (table: string): string => `${table}__codes`;
const dictionaryOf = (table: string, c: Column): string => `${table}__${c.name}`;

/** Drops the view, its code table and its dictionaries, freeing their memory. */
export async function dropCodedLandingTable(connection: DuckDBConnection, table: string, columns: readonly Column[]): Promise<void> {
  const dictionaries = columns.filter((c) => c.type === 'VARCHAR').map((c) => `DROP TABLE IF EXISTS ${q(dictionaryOf(table, c))}`);
  // One call: each statement alone would cost a trip through the thread pool.
  await connection.run([`DROP VIEW IF EXISTS ${q(table)}`, `DROP TABLE IF EXISTS ${q(codesOf(table))}`, ...dictionaries].join(';\n'));
}

const NUMBER_TYPE: Record<'BIGINT' | 'DOUBLE', DuckDBType> = { BIGINT, DOUBLE };

/** One string column's dictionary: value → code, new values appended in chunks. */
class Dictionary {
  private readonly codes = new Map<string, number>();
  private pendingCodes = new Uint32Array(BATCH_ROWS);
  private pendingValues: string[] = [];
  private readonly chunk = DuckDBDataChunk.create([UINTEGER, VARCHAR]);

  constructor(private readonly appender: DuckDBAppender) {}

  code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.codes.size;
      if (code >= 0xffffffff) throw new Error('a landing column holds more than 2^32 - 1 distinct strings');
      this.codes.set(value, code);
      this.pendingCodes[this.pendingValues.length] = code;
      this.pendingValues.push(value);
      if (this.pendingValues.length === BATCH_ROWS) this.flush();
    }
    return code;
  }

  flush(): void {
    const rows = this.pendingValues.length;
    if (rows === 0) return;
    const { chunk } = this;
    chunk.reset();
    chunk.rowCount = rows;
    bindings.copy_data_to_vector(bindings.data_chunk_get_vector(chunk.chunk, 0), 0, this.pendingCodes.buffer as ArrayBuffer, 0, rows * 4);
    chunk.setColumnValues(1, this.pendingValues);
    this.appender.appendDataChunk(chunk);
    this.pendingValues = [];
  }
}

export class CodedLandingTable {
  /** One chunk, refilled for every batch: DuckDB copies what is appended. */
  private readonly chunk: DuckDBDataChunk;

  private constructor(
    private readonly columns: readonly Column[],
    private readonly appender: DuckDBAppender,
    private readonly dictionaries: Array<Dictionary | undefined>,
    private readonly appenders: DuckDBAppender[],
  ) {
    this.chunk = DuckDBDataChunk.create(columns.map((c) => (c.type === 'VARCHAR' ? UINTEGER : NUMBER_TYPE[c.type])));
  }

  /** Creates the code table, one dictionary table per string column, and the `table` view over them. */
  static async create(connection: DuckDBConnection, table: string, columns: readonly Column[]): Promise<CodedLandingTable> {
    const codes = codesOf(table);
    const texts = columns.filter((c) => c.type === 'VARCHAR');
    const select = columns.map((c, i) => (c.type === 'VARCHAR' ? `d${i}."value" AS ${q(c.name)}` : `r.${q(c.name)}`)).join(', ');
    const joins = columns
      .map((c, i) => (c.type === 'VARCHAR' ? ` LEFT JOIN ${q(dictionaryOf(table, c))} AS d${i} ON r.${q(c.name)} = d${i}."code"` : ''))
      .join('');
    // One call: each statement alone would cost a trip through the thread pool.
    await connection.run(
      [
        `CREATE TABLE ${q(codes)} (${columns.map((c) => `${q(c.name)} ${c.type === 'VARCHAR' ? 'UINTEGER' : c.type}`).join(', ')})`,
        ...texts.map((c) => `CREATE TABLE ${q(dictionaryOf(table, c))} ("code" UINTEGER, "value" VARCHAR)`),
        `CREATE VIEW ${q(table)} AS SELECT ${select} FROM ${q(codes)} AS r${joins}`,
      ].join(';\n'),
    );
    const appenders: DuckDBAppender[] = [];
    const appender = await connection.createAppender(codes);
    appenders.push(appender);
    const dictionaries: Array<Dictionary | undefined> = [];
    for (const c of columns) {
      if (c.type !== 'VARCHAR') dictionaries.push(undefined);
      else {
        const dictionary = await connection.createAppender(dictionaryOf(table, c));
        appenders.push(dictionary);
        dictionaries.push(new Dictionary(dictionary));
      }
    }
    return new CodedLandingTable(columns, appender, dictionaries, appenders);
  }

  /** Appends `rows` rows of a batch (its code arrays are rewritten in place). */
  append(batch: ColumnBatch, rows: number): void {
    const { chunk } = this;
    chunk.reset();
    chunk.rowCount = rows;
    for (let c = 0; c < this.columns.length; c += 1) {
      const column = batch[c];
      const vector = bindings.data_chunk_get_vector(chunk.chunk, c);
      if (column.kind === 'text') {
        const dictionary = this.dictionaries[c]!;
        const { codes, runs } = column;
        // A plain loop: Uint32Array.from walks its source through the iterator protocol.
        const global = new Uint32Array(runs.length);
        for (let k = 0; k < runs.length; k += 1) global[k] = dictionary.code(runs[k]);
        for (let r = 0; r < rows; r += 1) codes[r] = global[codes[r]] ?? 0;
        bindings.copy_data_to_vector(vector, 0, codes.buffer as ArrayBuffer, codes.byteOffset, rows * 4);
      } else bindings.copy_data_to_vector(vector, 0, column.values, 0, rows * 8);
      if (column.valid) {
        bindings.vector_ensure_validity_writable(vector);
        bindings.copy_data_to_vector_validity(vector, 0, column.valid.buffer as ArrayBuffer, column.valid.byteOffset, Math.ceil(rows / 64) * 8);
      }
    }
    this.appender.appendDataChunk(chunk);
  }

  /** Writes what is pending; the table is complete once this returns. */
  finish(): void {
    for (const dictionary of this.dictionaries) dictionary?.flush();
    for (const appender of this.appenders) appender.flushSync();
  }

  close(): void {
    for (const appender of this.appenders) appender.closeSync();
  }
}

import bindings from '@duckdb/node-bindings';
import { type DuckDBDataChunk, type DuckDBMaterializedResult, DuckDBTypeId, JSDuckDBValueConverter } from '@duckdb/node-api';
import { columnArray } from '../column-arrays';

/**
 * A query result as JS column arrays, read straight from DuckDB's vectors for
 * the types the served tables hold (BIGINT, DOUBLE, VARCHAR, and BOOLEAN flags; UUID, the form a page reads serials in): node-api's
 * general path makes a BigInt per BIGINT, tests each value's validity with
 * BigInt arithmetic and decodes every string anew, which was most of the
 * cost of turning a page of 10,000 training rows into JS. Other types go
 * through node-api's own JS conversion, so values are the same either way
 * (BIGINTs become numbers, as toJsRows always did).
 */
export interface ReadColumns {
  names: string[];
  rowCount: number;
  columns: unknown[][];
}

const decoder = new TextDecoder();

/**
 * A materialized result's chunks are taken synchronously: no thread-pool round
 * trip per chunk of 2,048 rows. Each column is made at its full length and
 * filled by index (pushing grew and copied it a dozen times per page).
 */
export function readColumns(result: DuckDBMaterializedResult): ReadColumns {
  const names = result.columnNames();
  const types = result.columnTypes().map((t) => t.typeId);
  const total = result.rowCount;
  const columns = names.map(() => columnArray(total));
  let rowCount = 0;
  const chunks = result.chunkCount;
  for (let i = 0; i < chunks; i += 1) {
    const chunk = result.getChunk(i);
    if (chunk.rowCount === 0) continue;
    const rows = chunk.rowCount;
    for (let c = 0; c < names.length; c += 1) readVector(chunk, c, types[c], rows, columns[c], rowCount);
    rowCount += rows;
  }
  // The chunks' rows are the result's rows; should they ever disagree, no hole is handed on.
  if (rowCount !== total) for (const column of columns) column.length = rowCount;
  return { names, rowCount, columns };
}

/** Rows 0..rows of column c of `chunk` into `out` from index `at`. */
function readVector(chunk: DuckDBDataChunk, c: number, type: DuckDBTypeId, rows: number, out: unknown[], at: number): void {
  if (type !== DuckDBTypeId.BIGINT && type !== DuckDBTypeId.DOUBLE && type !== DuckDBTypeId.VARCHAR && type !== DuckDBTypeId.BOOLEAN && type !== DuckDBTypeId.UUID) {
    let r = at;
    for (const value of chunk.convertColumnValues(c, JSDuckDBValueConverter)) out[r++] = typeof value === 'bigint' ? Number(value) : value;
    return;
  }
  const vector = bindings.data_chunk_get_vector(chunk.chunk, c);
  const width = type === DuckDBTypeId.VARCHAR || type === DuckDBTypeId.UUID ? 16 : type === DuckDBTypeId.BOOLEAN ? 1 : 8;
  const data = bindings.vector_get_data(vector, rows * width);
  // No validity mask means every value is valid; otherwise bit r of little-endian 64-bit words.
  const validity = bindings.vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null;
  const valid = (r: number): boolean => !validity || ((validity[r >> 3] >> (r & 7)) & 1) === 1;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (type === DuckDBTypeId.BOOLEAN) {
    // One byte per value (the serial-run flag of every column page: node-api converted it value by value).
    for (let r = 0; r < rows; r += 1) out[at + r] = valid(r) ? data[r] !== 0 : null;
  } else if (type === DuckDBTypeId.DOUBLE) {
    for (let r = 0; r < rows; r += 1) out[at + r] = valid(r) ? view.getFloat64(r * 8, true) : null;
  } else if (type === DuckDBTypeId.BIGINT) {
    // high * 2^32 + low rounds once, as Number(bigint) does: exact within the safe range the lake's values keep to.
    for (let r = 0; r < rows; r += 1) out[at + r] = valid(r) ? view.getInt32(r * 8 + 4, true) * 4_294_967_296 + view.getUint32(r * 8, true) : null;
  } else if (type === DuckDBTypeId.UUID) {
    readUuids(view, rows, valid, out, at);
  } else {
    readStrings(data, view, rows, valid, out, at);
  }
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * DuckDB's UUID: a 128-bit integer (lower 64 bits, then upper, little-endian)
 * whose top bit is flipped so that it sorts as unsigned; its text is the
 * lower-case 8-4-4-4-12 hex of (upper ^ 2^63, lower), as DuckDB's own CAST
 * writes it. Read inline (no native call per value, unlike a long VARCHAR);
 * a value equal to the one before reuses its string.
 */
function readUuids(view: DataView, rows: number, valid: (r: number) => boolean, out: unknown[], at: number): void {
  let previous: string | undefined;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  let w3 = 0;
  for (let r = 0; r < rows; r += 1) {
    if (!valid(r)) {
      out[at + r] = null;
      continue;
    }
    const o = r * 16;
    const a = view.getUint32(o, true);
    const b = view.getUint32(o + 4, true);
    const c = view.getUint32(o + 8, true);
    const d = view.getUint32(o + 12, true);
    if (previous === undefined || a !== w0 || b !== w1 || c !== w2 || d !== w3) {
      [w0, w1, w2, w3] = [a, b, c, d];
      let hex = '';
      for (let i = 15; i >= 0; i -= 1) {
        hex += HEX[i === 15 ? view.getUint8(o + i) ^ 0x80 : view.getUint8(o + i)];
        if (i === 12 || i === 10 || i === 8 || i === 6) hex += '-';
      }
      previous = hex;
    }
    out[at + r] = previous;
  }
}

/**
 * DuckDB's string_t: length, then the bytes inline when 12 or fewer, else a
 * 4-byte prefix and a pointer. Sorted pages repeat each serial dozens of
 * times in a row: a value equal byte for byte to the one before reuses its string.
 */
function readStrings(data: Uint8Array, view: DataView, rows: number, valid: (r: number) => boolean, out: unknown[], at: number): void {
  let previousBytes: Uint8Array | undefined;
  let previous: string | undefined;
  for (let r = 0; r < rows; r += 1) {
    if (!valid(r)) {
      out[at + r] = null;
      continue;
    }
    const offset = r * 16;
    const length = view.getUint32(offset, true);
    const bytes = length <= 12 ? data.subarray(offset + 4, offset + 4 + length) : bindings.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + offset + 8, length);
    if (previous === undefined || !sameBytes(bytes, previousBytes!)) {
      previous = decoder.decode(bytes);
      previousBytes = bytes;
    }
    out[at + r] = previous;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i -= 1) if (a[i] !== b[i]) return false;
  return true;
}

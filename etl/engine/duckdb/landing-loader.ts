import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { BIGINT, DOUBLE, type DuckDBConnection, DuckDBDataChunk, type DuckDBType, VARCHAR } from '@duckdb/node-api';
import { readLandingColumns } from '../../landing/landing-columns';
import type { LandingTally, QuarantinedLine } from '../../landing/landing-reader';
import { ReasonCounts } from '../../landing/reason-counts';
import type { QuarantineReasonCount } from '../../manifest';
import type { ColumnBatch } from '../../landing/column-batches';
import type { Column, ColumnType } from '../../tables';

/**
 * Loads one landing source into `table` through the shared landing reader
 * (etl/landing/), run in a worker thread so the sources parse on every core:
 * each line is parsed once, accepted records are appended to DuckDB in
 * column chunks, quarantined lines written as NDJSON.
 */

const DUCK_TYPE: Record<ColumnType, DuckDBType> = { VARCHAR, BIGINT, DOUBLE };

const q = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

export async function loadLandingSource(
  connection: DuckDBConnection,
  options: { table: string; files: string[]; columns: readonly Column[]; quarantinePath: string; maxLineBytes?: number; consentDoubt?: boolean; workerMinBytes?: number },
): Promise<LandingTally & { quarantineReasons: QuarantineReasonCount[] }> {
  const { table, columns } = options;
  const reasons = new ReasonCounts();
  await connection.run(`CREATE TABLE ${q(table)} (${columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')})`);
  const appender = await connection.createAppender(table);
  const types = columns.map((c) => DUCK_TYPE[c.type]);
  let quarantine: number | undefined;
  try {
    const tally = await readLandingColumns(
      options.files,
      columns,
      {
        acceptColumns(batch, rows) {
          const chunk = DuckDBDataChunk.create(types, rows);
          for (let c = 0; c < columns.length; c += 1) chunk.setColumnValues(c, duckValues(batch[c], rows, columns[c].type));
          appender.appendDataChunk(chunk);
        },
        quarantine(line: QuarantinedLine) {
          reasons.add(line.reason);
          if (quarantine === undefined) {
            mkdirSync(dirname(options.quarantinePath), { recursive: true });
            quarantine = openSync(options.quarantinePath, 'w');
          }
          writeSync(quarantine, `${JSON.stringify(line)}\n`);
        },
      },
      { maxLineBytes: options.maxLineBytes, consentDoubt: options.consentDoubt },
      options.workerMinBytes,
    );
    appender.flushSync();
    return { ...tally, quarantineReasons: reasons.list() };
  } finally {
    appender.closeSync();
    if (quarantine !== undefined) closeSync(quarantine);
  }
}

/** One batch column as the appender takes it: NaN marks null in number columns; BIGINT as bigint. */
function duckValues(column: ColumnBatch[number], rows: number, type: ColumnType): Array<string | number | bigint | null> {
  // isView, not instanceof: the array comes from another thread (and, under jest, another realm).
  if (!ArrayBuffer.isView(column)) return rows === column.length ? column : column.slice(0, rows);
  const out = new Array<number | bigint | null>(rows);
  for (let r = 0; r < rows; r += 1) {
    const value = column[r];
    out[r] = Number.isNaN(value) ? null : type === 'BIGINT' ? BigInt(value) : value;
  }
  return out;
}

/** The emails whose consent is uncertain, as a table the zone SQL reads. */
export async function loadUncertain(connection: DuckDBConnection, table: string, emails: readonly string[]): Promise<void> {
  await connection.run(`CREATE TABLE ${q(table)} ("email" VARCHAR)`);
  const appender = await connection.createAppender(table);
  try {
    for (const email of emails) {
      appender.appendVarchar(email);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

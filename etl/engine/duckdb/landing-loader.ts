import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { BIGINT, DOUBLE, type DuckDBConnection, DuckDBDataChunk, type DuckDBType, VARCHAR } from '@duckdb/node-api';
import { type LandingTally, type QuarantinedLine, readLanding } from '../../landing/landing-reader';
import type { FieldValue } from '../../landing/strict-record';
import type { Column, ColumnType } from '../../tables';

/**
 * Loads one landing source into `table` through the shared landing reader
 * (etl/landing/): each line is parsed once in JS, accepted records are
 * appended to DuckDB in column chunks, quarantined lines written as NDJSON.
 */

const DUCK_TYPE: Record<ColumnType, DuckDBType> = { VARCHAR, BIGINT, DOUBLE };
const CHUNK_ROWS = 2048;

const q = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

export async function loadLandingSource(
  connection: DuckDBConnection,
  options: { table: string; files: string[]; columns: readonly Column[]; quarantinePath: string; maxLineBytes?: number; consentDoubt?: boolean },
): Promise<LandingTally> {
  const { table, columns } = options;
  await connection.run(`CREATE TABLE ${q(table)} (${columns.map((c) => `${q(c.name)} ${c.type}`).join(', ')})`);
  const appender = await connection.createAppender(table);
  const types = columns.map((c) => DUCK_TYPE[c.type]);
  const whole = columns.map((c) => c.type === 'BIGINT');
  const batch: Array<Array<FieldValue | bigint>> = columns.map(() => new Array<FieldValue | bigint>(CHUNK_ROWS));
  let rows = 0;
  const flush = (): void => {
    if (rows === 0) return;
    const chunk = DuckDBDataChunk.create(types, rows);
    for (let c = 0; c < columns.length; c += 1) chunk.setColumnValues(c, rows === CHUNK_ROWS ? batch[c] : batch[c].slice(0, rows));
    appender.appendDataChunk(chunk);
    rows = 0;
  };
  let quarantine: number | undefined;
  try {
    const tally = await readLanding(
      options.files,
      columns,
      {
        accept(values) {
          for (let c = 0; c < values.length; c += 1) {
            const value = values[c];
            // The appender takes BIGINT as bigint; the reader has checked the number is a safe integer.
            batch[c][rows] = whole[c] && value !== null ? BigInt(value) : value;
          }
          rows += 1;
          if (rows === CHUNK_ROWS) flush();
        },
        quarantine(line: QuarantinedLine) {
          if (quarantine === undefined) {
            mkdirSync(dirname(options.quarantinePath), { recursive: true });
            quarantine = openSync(options.quarantinePath, 'w');
          }
          writeSync(quarantine, `${JSON.stringify(line)}\n`);
        },
      },
      { maxLineBytes: options.maxLineBytes, consentDoubt: options.consentDoubt },
    );
    flush();
    appender.flushSync();
    return tally;
  } finally {
    appender.closeSync();
    if (quarantine !== undefined) closeSync(quarantine);
  }
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

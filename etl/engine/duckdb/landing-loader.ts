import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type ReadThreads, readLandingColumns } from '../../landing/landing-columns';
import type { LandingTally, QuarantinedLine } from '../../landing/landing-reader';
import { ReasonCounts } from '../../landing/reason-counts';
import type { QuarantineReasonCount } from '../../manifest';
import type { Column } from '../../tables';
import { CodedLandingTable } from './coded-landing-table';

/**
 * Loads one landing source into `table` through the shared landing reader
 * (etl/landing/), in worker threads when a pool is given so the sources parse
 * on every core: each line is parsed once, accepted records are copied into
 * DuckDB in column chunks, quarantined lines written as NDJSON.
 */

const q = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

export async function loadLandingSource(
  connection: DuckDBConnection,
  options: { table: string; files: string[]; columns: readonly Column[]; quarantinePath: string; maxLineBytes?: number; consentDoubt?: boolean; threads?: ReadThreads },
): Promise<LandingTally & { quarantineReasons: QuarantineReasonCount[] }> {
  const { columns } = options;
  const reasons = new ReasonCounts();
  const table = await CodedLandingTable.create(connection, options.table, columns);
  let quarantine: number | undefined;
  try {
    const tally = await readLandingColumns(
      options.files,
      columns,
      {
        acceptColumns: (batch, rows) => table.append(batch, rows),
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
      options.threads,
    );
    table.finish();
    return { ...tally, quarantineReasons: reasons.list() };
  } finally {
    table.close();
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

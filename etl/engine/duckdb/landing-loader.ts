import { closeSync, openSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type ReadThreads, readLandingColumns } from '../../landing/landing-columns';
import type { LandingTally, QuarantinedLine } from '../../landing/landing-reader';
import { ReasonCounts } from '../../landing/reason-counts';
import type { QuarantineReasonCount } from '../../manifest';
import type { Column } from '../../tables';
import { makeFolderSync } from '../../make-folder';
import { sqlStringLiteral } from './landing-sql';

/**
 * Loads one landing source as `table` through the shared landing reader
 * (etl/landing/), in worker threads when a pool is given so the sources parse
 * on every core: each line is parsed once, accepted records are written as
 * Parquet files (by the thread that parsed them) that the view `table` reads,
 * quarantined lines written as NDJSON. DuckDB reads the files on its own
 * threads when a statement needs the table: nothing is copied into DuckDB on
 * the main thread, and the rows are not stored twice.
 */

const q = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/** The folder of a landing table's Parquet files, under the build's own folder (`dir`). */
const filesOf = (dir: string, table: string): string => join(dir, table);

export async function loadLandingSource(
  /** Runs the view's creation on a connection: asked for only once the rows are parsed, so DuckDB may still be starting meanwhile. */
  onConnection: (work: (connection: DuckDBConnection) => Promise<void>) => Promise<void>,
  options: { table: string; files: string[]; columns: readonly Column[]; quarantinePath: string; parquetDir: string; maxLineBytes?: number; doubtTextBytes?: number; consentDoubt?: boolean; threads?: ReadThreads },
): Promise<LandingTally & { quarantineReasons: QuarantineReasonCount[] }> {
  const { columns, table } = options;
  const reasons = new ReasonCounts();
  const folder = filesOf(options.parquetDir, table);
  makeFolderSync(folder);
  let quarantine: number | undefined;
  try {
    const { parquetFiles, ...tally } = await readLandingColumns(
      options.files,
      columns,
      {
        parquet: (job) => join(folder, `${job}.parquet`),
        quarantine(line: QuarantinedLine) {
          reasons.add(line.reason, 1, line.sourceFile);
          if (quarantine === undefined) {
            makeFolderSync(dirname(options.quarantinePath));
            quarantine = openSync(options.quarantinePath, 'w');
          }
          writeSync(quarantine, `${JSON.stringify(line)}\n`);
        },
      },
      { maxLineBytes: options.maxLineBytes, doubtTextBytes: options.doubtTextBytes, consentDoubt: options.consentDoubt },
      options.threads,
    );
    const names = columns.map((c) => q(c.name)).join(', ');
    await onConnection(async (connection) => void (await connection.run(`CREATE VIEW ${q(table)} AS SELECT ${names} FROM read_parquet([${parquetFiles.map(sqlStringLiteral).join(', ')}])`)));
    return { ...tally, quarantineReasons: reasons.list() };
  } finally {
    if (quarantine !== undefined) closeSync(quarantine);
  }
}

/** Drops a landing table's view and removes its files. */
export async function dropLandingTable(connection: DuckDBConnection, parquetDir: string, table: string): Promise<void> {
  await connection.run(`DROP VIEW IF EXISTS ${q(table)}`);
  await rm(filesOf(parquetDir, table), { recursive: true, force: true });
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

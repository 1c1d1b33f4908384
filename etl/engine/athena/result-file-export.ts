import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { QueryExecution } from '@aws-sdk/client-athena';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ExportFormat } from '../engine';
import { type CallLimit, sendWithin } from './aws-call';
import { copyBody } from './body-copy';
import { unavailableOr } from './aws-error-text';
import type { ResultColumn } from './results';
import { parseS3ObjectUrl } from './s3-location';
import { literal, q } from './statements';

/**
 * A large export reads the query's own result file (the CSV Athena writes to
 * the output location), never GetQueryResults' 1,000-row pages. The file is
 * streamed to a temporary copy and converted locally by DuckDB into the
 * requested format, with the schema's column names and the result's types.
 * Athena's CSV quotes every value and leaves NULL unquoted and empty, which
 * is how it is read back (an empty quoted value stays an empty string).
 */

const DUCKDB_TYPE: Record<string, string> = {
  bigint: 'BIGINT',
  integer: 'INTEGER',
  int: 'INTEGER',
  smallint: 'SMALLINT',
  tinyint: 'TINYINT',
  double: 'DOUBLE',
  float: 'FLOAT',
  real: 'FLOAT',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

function duckDbType(column: ResultColumn): string {
  const base = column.type.replace(/\(.*$/, '');
  if (base === 'decimal') return `DECIMAL(${column.precision ?? 38}, ${column.scale ?? 0})`;
  return DUCKDB_TYPE[base] ?? 'VARCHAR';
}

const COPY_OPTIONS: Record<ExportFormat, string> = {
  parquet: 'FORMAT parquet, COMPRESSION zstd',
  csv: 'FORMAT csv, HEADER true',
  ndjson: 'FORMAT json',
};

/** Writes the result file of the finished query `execution` to `path`; returns the rows written. */
export async function exportResultFile(
  s3: S3Client,
  execution: QueryExecution,
  columns: readonly ResultColumn[],
  format: ExportFormat,
  path: string,
  limit: CallLimit,
): Promise<number> {
  const output = execution.ResultConfiguration?.OutputLocation;
  if (!output) {
    // A workgroup whose results Athena manages keeps no file on S3 to copy (the pre-flight says so too).
    throw new Error(`Athena query ${execution.QueryExecutionId} has no result file to export: the export needs an S3 query results location; use a workgroup with one (STEDI_ATHENA_WORKGROUP) or turn managed query results off`);
  }
  const { bucket, key } = parseS3ObjectUrl(output, 'the query result file');
  // Beside the export, in its caller's folder: a server killed mid-export (kill -9) left a folder of its own in the
  // temporary folder, which no later start removed (the export folders are named for their process: export-folders.ts).
  const csv = `${path}.result.csv`;
  // Its spill too (DuckDB's default: `.tmp` in the working directory, left there by a kill).
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: `${path}.spill` });
  const connection = await instance.connect();
  try {
    const object = await sendWithin(limit, (o) => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), o)).catch((error: unknown) => {
      throw unavailableOr(error, 'S3', `cannot read the query's result file ${output}`);
    });
    if (!object.Body) throw new Error(`the result file ${output} is empty`);
    // A large file may take longer than one call's limit: the limit bounds each wait for the next bytes (body-copy.ts).
    await copyBody(object.Body as Readable, csv, limit).catch((error: unknown) => {
      throw unavailableOr(error, 'S3', `cannot read the query's result file ${output}`);
    });
    const raw = columns.map((_, i) => `${literal(`c${i}`)}: 'VARCHAR'`).join(', ');
    const typed = columns.map((c, i) => `CAST(${q(`c${i}`)} AS ${duckDbType(c)}) AS ${q(c.name)}`).join(', ');
    const source = `read_csv(${literal(csv)}, header = true, auto_detect = false, columns = {${raw}}, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false)`;
    const result = await connection.runAndReadAll(`COPY (SELECT ${typed} FROM ${source}) TO ${literal(path)} (${COPY_OPTIONS[format]})`);
    return Number(result.getRows()[0]?.[0] ?? 0);
  } finally {
    connection.closeSync();
    instance.closeSync();
    await Promise.all([csv, `${path}.spill`].map((file) => rm(file, { recursive: true, force: true })));
  }
}

import { type AthenaClient, type ColumnInfo, GetQueryResultsCommand, type QueryExecution } from '@aws-sdk/client-athena';
import { canonicalColumnName } from '../../tables';
import type { Row } from '../engine';

/**
 * Reading a finished query's rows through GetQueryResults: pages of up to
 * 1,000 rows linked by NextToken, every value a `VarCharValue` string (absent
 * for NULL) typed by the page's ColumnInfo. A SELECT's first page starts with
 * a header row of column labels, which is not data.
 */

export const RESULT_PAGE_SIZE = 1000;

/** One column as Athena describes it, with the schema's spelling of its name. */
export interface ResultColumn {
  name: string;
  type: string;
  precision?: number;
  scale?: number;
}

export function resultColumns(info: readonly ColumnInfo[] | undefined): ResultColumn[] {
  return (info ?? []).map((c) => ({ name: canonicalColumnName(c.Name ?? ''), type: (c.Type ?? 'varchar').toLowerCase(), precision: c.Precision, scale: c.Scale }));
}

/** A `VarCharValue` as the JS value of its Athena type; a missing value is null. */
export function convertValue(type: string, text: string | undefined): unknown {
  if (text === undefined) return null;
  switch (type.replace(/\(.*$/, '')) {
    case 'bigint':
    case 'integer':
    case 'int':
    case 'smallint':
    case 'tinyint':
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      // Like the DuckDB engine, numbers become JS numbers (the lake's bigints are epoch ms and counts).
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'date':
      return new Date(`${text}T00:00:00.000Z`);
    case 'timestamp':
      return new Date(`${text.replace(' ', 'T')}Z`);
    default:
      return text;
  }
}

export interface ReadOptions {
  /** Stop after this many rows (a safety net for callers that expect few). */
  maxRows?: number;
  /** Sends each GetQueryResults call; the engine's retries a throttled one and abandons it when the caller aborts (AthenaQueryRunner.retryThrottled). */
  call?: <T>(send: (options?: { abortSignal?: AbortSignal }) => Promise<T>) => Promise<T>;
}

const sendOnce = <T>(send: (options?: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> => send();

/** Every row of the finished query `execution`, typed and named as the schema spells it. */
export async function readResultRows(client: AthenaClient, execution: QueryExecution, options: ReadOptions = {}): Promise<Row[]> {
  const id = execution.QueryExecutionId;
  const hasHeader = execution.StatementType === 'DML';
  const call = options.call ?? sendOnce;
  const rows: Row[] = [];
  let columns: ResultColumn[] | undefined;
  let nextToken: string | undefined;
  let first = true;
  do {
    const input = { QueryExecutionId: id, MaxResults: RESULT_PAGE_SIZE, NextToken: nextToken };
    const page = await call((o) => client.send(new GetQueryResultsCommand(input), o));
    columns ??= resultColumns(page.ResultSet?.ResultSetMetadata?.ColumnInfo);
    const data = page.ResultSet?.Rows ?? [];
    for (let r = first && hasHeader ? 1 : 0; r < data.length; r += 1) {
      const values = data[r].Data ?? [];
      const row: Row = {};
      columns.forEach((column, c) => {
        row[column.name] = convertValue(column.type, values[c]?.VarCharValue);
      });
      rows.push(row);
      if (options.maxRows !== undefined && rows.length > options.maxRows) {
        throw new Error(`the query returned more than ${options.maxRows} rows`);
      }
    }
    first = false;
    nextToken = page.NextToken;
  } while (nextToken);
  return rows;
}

/** The result columns alone (one small GetQueryResults call), for readers of the result file. */
export async function readResultColumns(client: AthenaClient, execution: QueryExecution, options: Pick<ReadOptions, 'call'> = {}): Promise<ResultColumn[]> {
  const input = { QueryExecutionId: execution.QueryExecutionId, MaxResults: 1 };
  const page = await (options.call ?? sendOnce)((o) => client.send(new GetQueryResultsCommand(input), o));
  return resultColumns(page.ResultSet?.ResultSetMetadata?.ColumnInfo);
}

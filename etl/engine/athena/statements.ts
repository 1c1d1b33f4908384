import type { SqlValue } from '../engine';
import type { TableName } from '../../tables';

/**
 * The text of every statement the Athena engine sends, built from the
 * catalogue and validated configuration only (never from input). Athena
 * parses DDL such as CREATE EXTERNAL TABLE and DROP TABLE with its Hive
 * grammar (backquoted names) and everything else, views and CTAS included,
 * with Trino's (double-quoted names); each statement says which.
 */

export type Grammar = 'trino' | 'hive';

export interface Statement {
  sql: string;
  grammar: Grammar;
  /** Values for the statement's `?` placeholders, in order. */
  params?: SqlValue[];
  /** A CTAS: the table and location a failed attempt may leave behind, removed before it is retried. */
  creates?: { database: string; name: string; location: string };
}

export const q = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;
export const bq = (identifier: string): string => `\`${identifier.replace(/`/g, '``')}\``;
export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
export const qualified = (database: string, name: string): string => `${q(database)}.${q(name)}`;

/**
 * How a zone SELECT finds the tables of the version being built. The SELECTs
 * in sql/ name tables plainly (`FROM customer_trusted`) and must stay
 * unchanged, so the statement wraps them:
 *
 *     WITH "customer_trusted" AS (SELECT * FROM "db"."customer_trusted__<v>"), ...
 *     SELECT * FROM (
 *     <the zone SELECT, byte for byte>
 *     ) AS "zone"
 *
 * In Trino a WITH name is visible inside nested queries, including the zone
 * SELECT's own WITH chain, and an unqualified name resolves to a WITH query
 * before any table, so `customer_trusted` reads this build's version, never
 * the live view of the same name. The zone SELECT's WITH cannot simply be
 * extended (that would edit its text) and a top-level query cannot hold two
 * WITH clauses, hence the subquery. Trino inlines these WITH queries, so
 * the wrapping costs nothing. Only the names the SELECT uses are bound: Trino
 * analyses every WITH query, even unused ones, so binding a table not yet
 * built would fail.
 */
export function bindTables(select: string, bindings: ReadonlyMap<TableName, string>, alias = 'zone'): string {
  if (bindings.size === 0) return `SELECT * FROM (\n${select}\n) AS ${q(alias)}`;
  const withs = [...bindings].map(([name, source]) => `  ${q(name)} AS (SELECT * FROM ${source})`).join(',\n');
  return `WITH\n${withs}\nSELECT * FROM (\n${select}\n) AS ${q(alias)}`;
}

export function createDatabase(database: string): Statement {
  return { grammar: 'hive', sql: `CREATE DATABASE IF NOT EXISTS ${bq(database)}` };
}

export interface CtasTarget {
  database: string;
  name: string;
  /** The new, empty `s3://.../` prefix the table's files go to. */
  location: string;
  format: 'PARQUET' | 'JSON';
}

/** CREATE TABLE AS: `query` written to `location` as the table `name`. */
export function createTableAs(target: CtasTarget, query: string, params?: SqlValue[]): Statement {
  const properties = [`format = ${literal(target.format)}`];
  if (target.format === 'PARQUET') properties.push(`write_compression = 'ZSTD'`);
  properties.push(`external_location = ${literal(target.location)}`);
  return {
    grammar: 'trino',
    sql: `CREATE TABLE ${qualified(target.database, target.name)}\nWITH (${properties.join(', ')})\nAS\n${query}`,
    creates: { database: target.database, name: target.name, location: target.location },
    ...(params && params.length > 0 ? { params } : {}),
  };
}

export function countRows(database: string, name: string, column: string): Statement {
  return { grammar: 'trino', sql: `SELECT count(*) AS ${q(column)} FROM ${qualified(database, name)}` };
}

/** Points the live name at one version: what readers of `<table>` (humans, BI tools) see. */
export function switchLiveView(database: string, table: TableName, versionedName: string): Statement {
  return { grammar: 'trino', sql: `CREATE OR REPLACE VIEW ${qualified(database, table)} AS SELECT * FROM ${qualified(database, versionedName)}` };
}

export function dropTable(database: string, name: string): Statement {
  return { grammar: 'hive', sql: `DROP TABLE IF EXISTS ${bq(database)}.${bq(name)}` };
}

export function dropView(database: string, name: string): Statement {
  return { grammar: 'trino', sql: `DROP VIEW IF EXISTS ${qualified(database, name)}` };
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Server } from 'node:http';
import request from 'supertest';
import { makeTempDir } from './landing-fixture';

/** Downloads from /export as raw bytes, whatever the content type. */
export function download(server: Server, query: string, key: string | null): request.Test {
  const req = request(server).get(`/export/machine_learning_curated${query}`);
  if (key !== null) req.set('authorization', `Bearer ${key}`);
  return req.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

/** The rows of an exported file in any of the three formats, read back with DuckDB. */
export async function exportedRows(body: Buffer, format: 'csv' | 'ndjson' | 'parquet'): Promise<Record<string, unknown>[]> {
  const file = join(makeTempDir('stedi-export-test-'), `rows.${format}`);
  writeFileSync(file, body);
  const reader = { csv: 'read_csv(?, header = true)', ndjson: "read_json(?, format = 'newline_delimited')", parquet: 'read_parquet(?)' }[format];
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const result = await connection.runAndReadAll(`SELECT * FROM ${reader}`, [file]);
    return result.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

function parquetFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? parquetFiles(path) : path.endsWith('.parquet') ? [path] : [];
  });
}

/** Every Parquet file under `lake` (every kept version) whose rows hold `needle` in any column, scanned as text. */
export async function parquetFilesHolding(lake: string, needle: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const holding: string[] = [];
    for (const file of parquetFiles(lake)) {
      const reader = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${file.replace(/'/g, "''")}') AS t WHERE contains(CAST(t AS VARCHAR), $1)`, [needle]);
      if (Number(reader.getRows()[0][0]) > 0) holding.push(file);
    }
    return holding;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

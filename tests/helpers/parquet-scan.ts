import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** The Parquet files under `dir`; a folder or file removed while it is walked (a version expiring) is not listed. */
function parquetFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats?.isDirectory() ? parquetFiles(path) : stats && path.endsWith('.parquet') ? [path] : [];
  });
}

/** Every Parquet file under `lake` (every kept version) whose rows hold `needle` in any column, scanned as text. */
export async function parquetFilesHolding(lake: string, needle: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const holding: string[] = [];
    for (const file of parquetFiles(lake)) {
      try {
        const reader = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${file.replace(/'/g, "''")}') AS t WHERE contains(CAST(t AS VARCHAR), $1)`, [needle]);
        if (Number(reader.getRows()[0][0]) > 0) holding.push(file);
      } catch (error) {
        // Removed since it was listed (a version expiring as it is scanned): it holds nothing now.
        if (existsSync(file)) throw error;
      }
    }
    return holding;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

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
    const count = async (file: string): Promise<number> =>
      Number((await connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${file.replace(/'/g, "''")}') AS t WHERE contains(CAST(t AS VARCHAR), $1)`, [needle])).getRows()[0][0]);
    for (const file of parquetFiles(lake)) {
      // A file a running build is still writing (its scratch copy of landing) is read again once written, for up to 2 s.
      for (let tries = 0; ; tries += 1) {
        try {
          if ((await count(file)) > 0) holding.push(file);
          break;
        } catch (error) {
          // Removed since it was listed (a version expiring, a build's scratch folder going): it holds nothing now.
          if (!existsSync(file)) break;
          if (tries >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    }
    return holding;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

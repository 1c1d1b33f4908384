import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { openConfiguredEngine } from '../src/engine';

/** STEDI_DUCKDB_MEMORY_LIMIT reaches the serving engine's DuckDB; unset, DuckDB keeps its own default. */
describe('the serving engine\'s memory limit', () => {
  const lake = mkdtempSync(join(tmpdir(), 'stedi-memory-limit-'));
  afterAll(() => rmSync(lake, { recursive: true, force: true }));

  const memoryLimit = async (env: Record<string, string>): Promise<string> => {
    const engine = await openConfiguredEngine(loadConfig({ lake }, env));
    try {
      const [row] = await engine.query("SELECT current_setting('memory_limit') AS m");
      return String(row.m);
    } finally {
      await engine.close();
    }
  };

  it('is the configured size when set, and DuckDB\'s own otherwise', async () => {
    expect(await memoryLimit({ STEDI_DUCKDB_MEMORY_LIMIT: '512MiB' })).toBe('512.0 MiB');
    expect(await memoryLimit({})).not.toBe('512.0 MiB');
  });
});

/** STEDI_DUCKDB_THREADS reaches the serving engine's DuckDB; unset (0), DuckDB keeps its own (one per core). */
describe("the serving engine's threads", () => {
  const lake = mkdtempSync(join(tmpdir(), 'stedi-threads-'));
  afterAll(() => rmSync(lake, { recursive: true, force: true }));

  const threads = async (env: Record<string, string>): Promise<number> => {
    const engine = await openConfiguredEngine(loadConfig({ lake }, env));
    try {
      const [row] = await engine.query("SELECT current_setting('threads') AS t");
      return Number(row.t);
    } finally {
      await engine.close();
    }
  };

  it('is the configured number when set, and one per core otherwise', async () => {
    expect(await threads({ STEDI_DUCKDB_THREADS: '1' })).toBe(1);
    expect(await threads({ STEDI_DUCKDB_THREADS: '3' })).toBe(3);
    expect(await threads({})).toBe(availableParallelism());
  });
});

import { type DuckDBConnection, listValue } from '@duckdb/node-api';
import type { LandingCount } from '../../manifest';
import type { Column } from '../../tables';
import { acceptedSql, checkedSql, linesSql, numberedLinesSql, quarantineCopySql } from './landing-sql';

/**
 * Loads one landing source into `table`. All lines are checked on the fast,
 * unnumbered path; only files that turn out to hold bad lines are read again
 * with line numbers, to write the quarantine.
 */
export async function loadLandingSource(
  connection: DuckDBConnection,
  options: { table: string; files: string[]; columns: readonly Column[]; quarantineFile: () => Promise<string> },
): Promise<LandingCount> {
  const checked = `${options.table}__checked`;
  await connection.run(checkedSql(checked, linesSql(), options.columns), [listValue(options.files)]);
  await connection.run(acceptedSql(options.table, checked, options.columns));
  const [[lines, accepted, quarantined]] = (
    await connection.runAndReadAll(`SELECT count(*), count(*) FILTER (WHERE reason IS NULL), count(*) FILTER (WHERE reason IS NOT NULL) FROM ${checked}`)
  ).getRows();
  const count: LandingCount = { lines: Number(lines), accepted: Number(accepted), quarantined: Number(quarantined) };
  if (count.quarantined > 0) {
    const badFiles = (await connection.runAndReadAll(`SELECT DISTINCT source_file FROM ${checked} WHERE reason IS NOT NULL ORDER BY 1`)).getRows().map(([f]) => String(f));
    const numbered = `${options.table}__numbered`;
    await connection.run(checkedSql(numbered, numberedLinesSql(), options.columns), [listValue(badFiles)]);
    const [[again]] = (await connection.runAndReadAll(`SELECT count(*) FROM ${numbered} WHERE reason IS NOT NULL`)).getRows();
    // Both readers must agree on which lines are bad, or the quarantine would not account for every line.
    if (Number(again) !== count.quarantined) {
      throw new Error(`landing ${options.table}: ${count.quarantined} bad lines found, but ${Number(again)} when numbering them; the landing files changed during the build?`);
    }
    await connection.run(quarantineCopySql(numbered, await options.quarantineFile()));
    await connection.run(`DROP TABLE ${numbered}`);
  }
  await connection.run(`DROP TABLE ${checked}`);
  return count;
}

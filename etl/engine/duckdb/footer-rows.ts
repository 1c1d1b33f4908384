import type { VersionManifest } from '../../manifest';
import { BUILT_TABLES, type BuiltTable } from '../../tables';
import type { WithConnection } from './version-loader';
import { fileIdentity, isRegularFile } from './file-checks';
import { sqlStringLiteral } from './landing-sql';

/**
 * The manifest's row counts against the version's Parquet footers. A count edited by hand (valid JSON, so the
 * manifest's schema passes) changed what `stedi status` and the lake query said, and which tables are held in memory.
 * Each footer is read once per file identity.
 */
export class FooterRows {
  // Private: by version and table, the file's identity when its footer was read, and the rows it holds.
  private readonly read = new Map<string, { identity: string; rows: Promise<number> }>();

  constructor(
    private readonly withConnection: WithConnection,
    private readonly fileOf: (version: VersionManifest, table: BuiltTable) => string,
  ) {}

  /** Why `version`'s recorded counts are not its files', or null. */
  async damage(version: VersionManifest): Promise<string | null> {
    const held = await this.rows(version);
    for (const table of BUILT_TABLES) {
      const rows = held[table];
      const recorded = version.tables[table].rows;
      if (rows !== undefined && rows !== recorded) return `the manifest records ${recorded} rows for ${table}, but ${version.tables[table].location} holds ${rows}: the manifest was changed after the build`;
    }
    return null;
  }

  /** The rows each of `version`'s files holds, by its footer; a table whose footer cannot be read is left out. */
  async rows(version: VersionManifest): Promise<Partial<Record<BuiltTable, number>>> {
    const held: Partial<Record<BuiltTable, number>> = {};
    for (const table of BUILT_TABLES) {
      const rows = await this.rowsOf(version, table);
      if (rows !== null) held[table] = rows;
    }
    return held;
  }

  /** Forgets the footers of versions not in `kept`. */
  retain(kept: ReadonlySet<string>): void {
    for (const key of this.read.keys()) if (!kept.has(key.slice(0, key.indexOf('\0')))) this.read.delete(key);
  }

  /** Null when DuckDB cannot read the footer: the load reports that, as damage of the file. */
  private async rowsOf(version: VersionManifest, table: BuiltTable): Promise<number | null> {
    const file = this.fileOf(version, table);
    const key = `${version.version}\0${table}`;
    // DuckDB opening a pipe put in the file's place waits for a writer for ever: status hung on its footer.
    if (!(await isRegularFile(file))) return null;
    const identity = await fileIdentity(file);
    let held = this.read.get(key);
    if (held?.identity !== identity) {
      const sql = `SELECT num_rows FROM parquet_file_metadata(${sqlStringLiteral(file)})`;
      held = { identity, rows: this.withConnection({}, async (connection) => Number((await connection.runAndReadAll(sql)).getRows()[0]?.[0])) };
      this.read.set(key, held);
      held.rows.catch(() => this.read.delete(key));
    }
    return held.rows.catch(() => null);
  }
}

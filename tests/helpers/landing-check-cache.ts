import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The landing checks' tables (`*_landing_checked__V`, `consent_uncertain__V`) the Athena stand-in made, kept for the
 * rest of the jest run: a build of the same landing with the same statement copies the table instead of running it
 * again (most of a stand-in build's time: DuckDB plans consent_uncertain's long SQL for a second each build, and Trino's
 * JSON functions run in JavaScript on every line). The key is the statement with its version named generically and the
 * bytes of every landing table of that version, so changed SQL or changed landing lines always run the statement.
 * A table per file (attached read-only once written, renamed into place whole), so suites on both workers share it.
 */
export class LandingCheckCache {
  private static folder: string | undefined;
  private static written = 0;

  /** The file holding the table `statement` (creating a table of version `version`) makes from landings `landings`. */
  static fileFor(statement: string, version: string, landings: string[]): string {
    const hash = createHash('sha256').update(statement.split(`__${version}`).join('__{version}'));
    for (const landing of [...landings].sort()) hash.update(`\0${landing}`);
    LandingCheckCache.folder ??= join(tmpdir(), 'athena-stand-in-landing-checks');
    mkdirSync(LandingCheckCache.folder, { recursive: true });
    return join(LandingCheckCache.folder, `${hash.digest('hex')}.duckdb`);
  }

  /** The statement copying the cached table into `target` ("schema"."name"), or undefined when none is cached. */
  static copyFrom(file: string, target: string): string | undefined {
    if (!existsSync(file)) return undefined;
    return `ATTACH '${file}' AS "landing_cache" (READ_ONLY); CREATE TABLE ${target} AS SELECT * FROM "landing_cache"."main"."checked"; DETACH "landing_cache"`;
  }

  /** Keeps `source` ("schema"."name"), just made, as the table of `file`. */
  static async keep(connection: DuckDBConnection, source: string, file: string): Promise<void> {
    LandingCheckCache.written += 1;
    const partial = `${file}.${process.pid}-${LandingCheckCache.written}.partial`;
    await connection.run(`ATTACH '${partial}' AS "landing_cache"; CREATE TABLE "landing_cache"."main"."checked" AS SELECT * FROM ${source}; DETACH "landing_cache"`);
    renameSync(partial, file);
  }
}

/** A hash of a landing folder's files as the stand-in reads them: each file's name and bytes. */
export function landingHash(location: string, files: Array<{ name: string; bytes: Buffer }>): string {
  const hash = createHash('sha256').update(location);
  for (const file of files) hash.update(`\0${file.name}\0${file.bytes.length}\0`).update(file.bytes);
  return hash.digest('hex');
}

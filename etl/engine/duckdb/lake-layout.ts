import { isAbsolute, join, resolve, sep } from 'node:path';
import { pathInside } from '../../path-inside';
import type { Source, TableName } from '../../tables';
import { TABLES } from '../../tables';

/**
 * Where things live in a local lake folder, mirroring the S3 bucket:
 * `<folder>/<zone>/` per table, one `v=<version>/` folder per built version,
 * and the manifest and lock under `_stedi/`.
 */
export class LakeLayout {
  constructor(
    readonly lake: string,
    readonly landing: string = lake,
  ) {}

  get metaDir(): string {
    return join(this.lake, '_stedi');
  }

  get manifestPath(): string {
    return join(this.metaDir, 'manifest.json');
  }

  get lockPath(): string {
    return join(this.metaDir, 'build.lock');
  }

  /** One record per running build, naming its holder, so a crashed build's folders are known as its own. */
  get buildsDir(): string {
    return join(this.metaDir, 'builds');
  }

  buildRecord(version: string): string {
    return join(this.buildsDir, `${version}.json`);
  }

  /** The versions a publishing build expires, as empty files named by version (expiring-marks.ts). */
  expiringDir(version: string): string {
    return join(this.buildsDir, `${version}.expiring`);
  }

  /** Where a build's DuckDB spills what does not fit its memory limit; removed with the build. */
  spillDir(version: string): string {
    return join(this.buildsDir, `${version}.spill`);
  }

  /**
   * `path` as the manifest records it: relative to the lake folder when inside it (with /), else absolute.
   * A path given relative to the working directory (`--landing data`) is recorded resolved: read back, a
   * relative path means relative to the lake.
   */
  recorded(path: string): string {
    const inside = pathInside(this.lake, path);
    if (inside === '') return '.';
    if (inside === undefined) return resolve(path);
    return inside.split(sep).join('/');
  }

  /** A recorded path back to an absolute one. */
  located(recorded: string): string {
    return isAbsolute(recorded) ? recorded : join(this.lake, recorded);
  }

  landingDir(source: Source): string {
    return join(this.landing, source, 'landing');
  }

  /** The folder holding every version of a built table. */
  tableRoot(table: TableName): string {
    const spec = TABLES[table];
    return spec.zone === 'landing' ? this.landingDir(spec.folder as Source) : join(this.lake, spec.folder, spec.zone);
  }

  versionDir(table: TableName, version: string): string {
    return join(this.tableRoot(table), `v=${version}`);
  }

  tableFile(table: TableName, version: string): string {
    return join(this.versionDir(table, version), `${table}.parquet`);
  }

  quarantineRoot(): string {
    return join(this.lake, '_quarantine');
  }

  quarantineDir(version: string): string {
    return join(this.quarantineRoot(), `v=${version}`);
  }
}

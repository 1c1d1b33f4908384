import { join } from 'node:path';
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

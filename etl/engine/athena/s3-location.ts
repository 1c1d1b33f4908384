import { type Source, TABLES, type TableName } from '../../tables';

/**
 * S3 addresses of the lake, mirroring the local layout: `<folder>/<zone>/` per
 * table with one `v=<version>/` prefix per built version, quarantine under
 * `_quarantine/v=<version>/<source>/`, the manifest, lock and build markers
 * under `_stedi/`.
 * Every prefix ends with `/`, so a prefix never matches a sibling such as
 * `v=<version>x/`.
 */

export interface S3Location {
  bucket: string;
  /** The key or key prefix, without a leading slash. */
  key: string;
}

// Private: the characters a location may hold, so it is safe inside any SQL string literal and DDL.
const SAFE_KEY = /^[A-Za-z0-9!_.*()=\-/]*$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Said with the refusal: `s3://b/x` or `s3://My_Bucket/x` was refused with no word of what S3 takes.
const BUCKET_RULE = "a bucket name is 3 to 63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit";

export function parseS3Url(url: string, what = 'the location'): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new RangeError(`${what} must be an s3://bucket/prefix address; received ${JSON.stringify(url)}`);
  const [, bucket, key] = match;
  if (!BUCKET.test(bucket)) throw new RangeError(`${what} names an invalid S3 bucket ${JSON.stringify(bucket)}: ${BUCKET_RULE}`);
  if (!SAFE_KEY.test(key)) {
    throw new RangeError(`${what} ${JSON.stringify(url)} may hold only letters, digits and ! _ . * ( ) = - / in its prefix`);
  }
  return { bucket, key };
}

/**
 * An object Athena names itself (a query's result file, under the workgroup's own results location): read
 * from S3 only, never written into SQL, so its key may hold any character.
 */
export function parseS3ObjectUrl(url: string, what: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/(.+)$/s.exec(url);
  if (!match || !BUCKET.test(match[1])) throw new RangeError(`${what} is not an s3://bucket/key address; received ${JSON.stringify(url)}`);
  return { bucket: match[1], key: match[2] };
}

export const s3Url = (location: S3Location): string => `s3://${location.bucket}/${location.key}`;

/** Joins prefix parts into one address ending with `/` (a folder). */
const folder = (base: string, ...parts: string[]): string => `${[base, ...parts].join('/')}/`;

export class AthenaLayout {
  constructor(
    /** `s3://bucket/prefix`, no trailing slash. */
    readonly lake: string,
    readonly landing: string = lake,
  ) {}

  landingPrefix(source: Source): string {
    return folder(this.landing, source, 'landing');
  }

  /** The prefix holding every version of a built table. */
  tableRoot(table: TableName): string {
    const spec = TABLES[table];
    if (spec.zone === 'landing') return this.landingPrefix(spec.folder as Source);
    return folder(this.lake, spec.folder, spec.zone);
  }

  versionPrefix(table: TableName, version: string): string {
    return `${this.tableRoot(table)}v=${version}/`;
  }

  quarantineRoot(): string {
    return folder(this.lake, '_quarantine');
  }

  quarantinePrefix(version: string, source?: Source): string {
    const prefix = `${this.quarantineRoot()}v=${version}/`;
    return source ? `${prefix}${source}/` : prefix;
  }

  get manifestUrl(): string {
    return `${this.lake}/_stedi/manifest.json`;
  }

  get lockUrl(): string {
    return `${this.lake}/_stedi/build.lock`;
  }

  /** Holds one `v=<version>/` marker per build in progress (or killed), so its leftovers can be found. */
  buildsRoot(): string {
    return folder(this.lake, '_stedi', 'builds');
  }

  buildMarkerPrefix(version: string): string {
    return `${this.buildsRoot()}v=${version}/`;
  }
}

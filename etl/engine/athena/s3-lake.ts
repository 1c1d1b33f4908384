import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type LakeManifest, ManifestError, parseManifest } from '../../manifest';
import { type BoundedSend, boundedBy } from './aws-call';
import { awsErrorText, awsFix, httpStatusOf, isMissingObject, isServerFault, isUnreachable, unavailableOr } from './aws-error-text';
import { settleManifestPut } from './manifest-put';
import { parseS3Url, s3Url } from './s3-location';

/**
 * The lake's objects on S3: the manifest (one PUT replaces it atomically, so
 * readers see the old or the new document, never a mix), emptiness checks
 * and prefix deletion. A prefix always ends with `/`, so deleting
 * `.../v=<version>/` can never touch a sibling such as `.../v=<version>x/`.
 */
export interface LakeStore {
  readManifest(url: string): Promise<LakeManifest | null>;
  /** The manifest with the ETag that names this very copy of it, to replace it only while it is that copy. */
  readStoredManifest(url: string): Promise<StoredManifest>;
  /**
   * Replaces the manifest only while it is still the copy `over` names (its ETag; null: there was none).
   * Throws ManifestChangedError when it is not (nothing written), ManifestWriteUnknownError when what it did
   * cannot be told and the manifest read back is not this one (it may still land; manifest-put.ts).
   */
  writeManifest(url: string, manifest: LakeManifest, over: string | null): Promise<void>;
  /** Writes a small text object (a build's marker). */
  putText(url: string, text: string): Promise<void>;
  isEmpty(prefix: string): Promise<boolean>;
  /** Deletes every object under `prefix`; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** The `v=<version>/` sub-prefixes directly under `root`, as version ids. */
  versionFolders(root: string): Promise<string[]>;
}

/** The manifest and its ETag, or null and null when there is none. */
export type StoredManifest = { manifest: LakeManifest; etag: string } | { manifest: null; etag: null };

export class S3Lake implements LakeStore {
  private readonly send: BoundedSend;

  constructor(
    private readonly s3: S3Client,
    /** How long one S3 call may take, retries included (STEDI_AWS_TIMEOUT_MS). */
    timeoutMs: number,
  ) {
    this.send = boundedBy(timeoutMs);
  }

  async readManifest(url: string): Promise<LakeManifest | null> {
    return (await this.read(url)).manifest;
  }

  async readStoredManifest(url: string): Promise<StoredManifest> {
    const { manifest, etag } = await this.read(url);
    if (!manifest) return { manifest: null, etag: null };
    if (etag === undefined) {
      throw new Error(`the store gave the lake's manifest ${url} no ETag, which a build needs to replace it only if no other build did: use a store that answers GetObject with an ETag`);
    }
    return { manifest, etag };
  }

  private async read(url: string): Promise<{ manifest: LakeManifest | null; etag?: string }> {
    const { bucket, key } = parseS3Url(url);
    let text: string;
    let etag: string | undefined;
    try {
      ({ text, etag } = await this.getText(bucket, key));
    } catch (error) {
      if (isMissingObject(error)) return { manifest: null };
      // The first call of status and build: AWS out of reach or no credentials is said with its fix, not as the SDK's words.
      // Out of reach, or S3 failing on its side, is typed too: the server answers it as the engine being unavailable, not as its own failure.
      if (isUnreachable(error) || isServerFault(error)) throw unavailableOr(error, 'S3', `cannot read the lake's manifest ${url}`);
      // Without s3:ListBucket, S3 answers a missing object 403 too: a first build's role may lack either.
      const grant = `grant s3:GetObject on ${url.replace(/\/_stedi\/manifest\.json$/, '')}/* and s3:ListBucket on bucket ${bucket} (and kms:Decrypt on the bucket's key if it uses SSE-KMS)`;
      const fix = awsFix(error, httpStatusOf(error) === 403 ? grant : '');
      if (fix) throw new Error(`cannot read the lake's manifest ${url} (${awsErrorText(error)}): ${fix}`, { cause: error });
      throw error;
    }
    try {
      return { manifest: parseManifest(text, url), etag };
    } catch (error) {
      // Not set aside as on the embedded engine: a build over no manifest would remove every version it named.
      if (!(error instanceof ManifestError)) throw error;
      throw new ManifestError(
        error.where,
        error.detail,
        `restore it from a copy (with versioning on the bucket: aws s3api list-object-versions --bucket ${bucket} --prefix ${key}); a build on Athena refuses to run over it, as it would remove every version that manifest names`,
      );
    }
  }

  async writeManifest(url: string, manifest: LakeManifest, over: string | null): Promise<void> {
    const { bucket, key } = parseS3Url(url);
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    // Two builds that both passed their lock check cannot publish over each other: the later PUT finds the manifest changed.
    const condition = over === null ? { IfNoneMatch: '*' } : { IfMatch: over };
    const put = (): Promise<unknown> =>
      this.send((o) => this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json', ...condition }), o)).then(
        () => undefined,
        (error: unknown) => error ?? new Error('the manifest PUT failed'),
      );
    await settleManifestPut(url, put, () => this.holds(bucket, key, text));
  }

  /** Whether the object holds exactly `text` now; undefined when it could not be read. */
  private holds(bucket: string, key: string, text: string): Promise<boolean | undefined> {
    return this.getText(bucket, key).then(
      (now) => now.text === text,
      (error: unknown) => (isMissingObject(error) ? false : undefined),
    );
  }

  async putText(url: string, text: string, contentType = 'text/plain'): Promise<void> {
    const { bucket, key } = parseS3Url(url);
    await this.send((o) => this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }), o));
  }

  async isEmpty(prefix: string): Promise<boolean> {
    const { bucket, key } = folderOf(prefix);
    const page = await this.list(prefix, { Bucket: bucket, Prefix: key, MaxKeys: 1 });
    return (page.KeyCount ?? page.Contents?.length ?? 0) === 0;
  }

  async deletePrefix(prefix: string): Promise<number> {
    const { bucket, key } = folderOf(prefix);
    let deleted = 0;
    let token: string | undefined;
    do {
      // Up to 1,000 keys a page, the most one DeleteObjects call takes.
      const page = await this.list(prefix, { Bucket: bucket, Prefix: key, ContinuationToken: token });
      const keys = (page.Contents ?? []).map((o) => o.Key).filter((k): k is string => k !== undefined && k.startsWith(key));
      if (keys.length > 0) {
        const result = await this.send((o) =>
          this.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }), o),
        );
        if (result.Errors && result.Errors.length > 0) {
          const first = result.Errors[0];
          // Refused for want of a permission: the message names the grant; other codes (SlowDown, InternalError) are S3 failing on its side.
          const fix = first.Code === 'AccessDenied' ? `: grant s3:DeleteObject on ${prefix}*` : '';
          throw new Error(`could not delete ${result.Errors.length} objects under ${prefix} (first: ${first.Key}: ${first.Code} ${first.Message})${fix}`);
        }
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  async versionFolders(root: string): Promise<string[]> {
    const { bucket, key } = folderOf(root);
    const versions: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.list(root, { Bucket: bucket, Prefix: key, Delimiter: '/', ContinuationToken: token });
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix?.slice(key.length).replace(/\/$/, '') ?? '';
        if (name.startsWith('v=')) versions.push(name.slice(2));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return versions;
  }

  /** One page of a listing of `prefix`; refused (403), it says so with the permission to grant, not only as S3's "Access Denied"; failing on S3's side (5xx), that it is. */
  private list(prefix: string, input: ListObjectsV2CommandInput): Promise<ListObjectsV2CommandOutput> {
    return this.send((o) => this.s3.send(new ListObjectsV2Command(input), o)).catch((error: unknown) => {
      if (isServerFault(error)) throw unavailableOr(error, 'S3', `cannot list ${prefix}`);
      if (httpStatusOf(error) !== 403) throw error;
      throw new Error(`cannot list ${prefix} (${awsErrorText(error)}): ${awsFix(error, `grant s3:ListBucket on bucket ${input.Bucket} for the lake's prefix`)}`, { cause: error });
    });
  }

  /** An object's text and ETag. The body is read within the call's limit too: an answer that stalls half way is given up like one that never starts. */
  private getText(bucket: string, key: string): Promise<{ text: string; etag?: string }> {
    return this.send(async (o) => {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), o);
      return { text: (await response.Body?.transformToString('utf8')) ?? '', etag: response.ETag };
    });
  }
}

/** A prefix to list or delete: it must name a folder, so it can only ever match that folder's objects. */
function folderOf(prefix: string) {
  const location = parseS3Url(prefix);
  if (!prefix.endsWith('/') || location.key === '') {
    throw new Error(`refusing to work on ${s3Url(location)}: only a folder prefix ending with / below the bucket root is allowed`);
  }
  return location;
}

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/** An object's ETag as S3 gives it for a single-part upload: the quoted MD5 of its bytes. */
const etagOf = (body: Buffer): string => `"${createHash('md5').update(body).digest('hex')}"`;

const preconditionFailed = (): Error =>
  Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });

/** An in-memory S3 bucket store behind aws-sdk-client-mock: objects, prefix listings, conditional PUTs and deletes, ETags. */
export class FakeS3 {
  readonly objects = new Map<string, Buffer>();
  /** When each object was last written (S3's LastModified), by the same `<bucket>/<key>` as `objects`. */
  readonly modified = new Map<string, Date>();
  readonly client = new S3Client({ region: 'us-east-1' });
  readonly mock = mockClient(this.client);
  /**
   * The next PUT of each s3:// url here fails with `error`; `landed`: after writing the object (its answer was lost);
   * `'later'`: it is written only at `landLate()`, its condition judged then (a request S3 finished after its client gave up).
   * `times`: the next that many PUTs fail so (default one).
   */
  readonly putFaults = new Map<string, { error: Error; landed: boolean | 'later'; times?: number }>();
  private readonly late: (() => unknown)[] = [];
  /** Answer the next this-many GetObject, and ListObjectsV2, calls HTTP 500 InternalError: S3 failing on its side after the SDK's retries. */
  readonly failing = { gets: 0, lists: 0 };

  constructor() {
    const s3Key = (bucket?: string, key?: string): string => `${bucket}/${key}`;
    this.mock.on(PutObjectCommand).callsFake((input) => {
      const url = `s3://${s3Key(input.Bucket, input.Key)}`;
      const fault = this.putFaults.get(url);
      if (fault && (fault.times ?? 1) > 1) this.putFaults.set(url, { ...fault, times: (fault.times ?? 1) - 1 });
      else this.putFaults.delete(url);
      if (fault?.landed === 'later') {
        this.late.push(() => this.putObject(input));
        throw fault.error;
      }
      if (fault && !fault.landed) {
        this.checkCondition(input);
        throw fault.error;
      }
      const answer = this.putObject(input);
      if (fault) throw fault.error;
      return answer;
    });
    this.mock.on(GetObjectCommand).callsFake((input) => {
      this.failIf('gets');
      const body = this.objects.get(s3Key(input.Bucket, input.Key));
      if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      return { ETag: etagOf(body), Body: Object.assign(Readable.from([body]), { transformToString: async () => body.toString('utf8') }) };
    });
    this.mock.on(DeleteObjectCommand).callsFake((input) => {
      const id = s3Key(input.Bucket, input.Key);
      if (input.IfMatch !== undefined) {
        // S3's conditional delete: 404 when the object is gone, 412 when its ETag is another.
        const body = this.objects.get(id);
        if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
        if (input.IfMatch !== '*' && input.IfMatch !== etagOf(body)) throw preconditionFailed();
      }
      this.objects.delete(id);
      return {};
    });
    this.mock.on(DeleteObjectsCommand).callsFake((input) => {
      for (const o of input.Delete?.Objects ?? []) this.objects.delete(s3Key(input.Bucket, o.Key));
      return { Errors: [] };
    });
    this.mock.on(ListObjectsV2Command).callsFake((input) => {
      this.failIf('lists');
      const prefix = `${input.Bucket}/${input.Prefix ?? ''}`;
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort().map((k) => k.slice(input.Bucket!.length + 1));
      if (input.Delimiter) {
        const common = [...new Set(keys.map((k) => k.slice(input.Prefix!.length)).filter((rest) => rest.includes('/')).map((rest) => `${input.Prefix}${rest.split('/')[0]}/`))];
        return { CommonPrefixes: common.map((Prefix) => ({ Prefix })), KeyCount: common.length, IsTruncated: false };
      }
      // Pages of MaxKeys (S3's 1,000 at most), continued after the last key of the page before.
      const after = input.ContinuationToken;
      const rest = after === undefined ? keys : keys.filter((k) => k > after);
      const limited = rest.slice(0, Math.min(input.MaxKeys ?? 1000, 1000));
      const truncated = limited.length < rest.length;
      const Contents = limited.map((Key) => {
        const id = s3Key(input.Bucket, Key);
        const body = this.objects.get(id)!;
        return { Key, Size: body.length, ETag: etagOf(body), LastModified: this.modified.get(id) ?? new Date(0) };
      });
      return { Contents, KeyCount: limited.length, IsTruncated: truncated, NextContinuationToken: truncated ? limited[limited.length - 1] : undefined };
    });
  }

  private failIf(call: keyof FakeS3['failing']): void {
    if (this.failing[call] <= 0) return;
    this.failing[call] -= 1;
    throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500, requestId: `s3-request-${call}` } });
  }

  /** Lands the PUTs whose answer was lost and that were held back (`landed: 'later'`); true when one was written (its condition held). */
  landLate(): boolean {
    let landed = false;
    for (const write of this.late.splice(0)) {
      try {
        write();
        landed = true;
      } catch {
        // Refused at landing: its condition no longer held.
      }
    }
    return landed;
  }

  /** A conditional PUT as S3 judges it: 404 when the object If-Match names is gone, 412 when the object is another (or there is one, for If-None-Match). */
  private checkCondition(input: { Bucket?: string; Key?: string; IfNoneMatch?: string; IfMatch?: string }): void {
    const current = this.objects.get(`${input.Bucket}/${input.Key}`);
    if (input.IfNoneMatch === '*' && current) throw preconditionFailed();
    if (input.IfMatch !== undefined) {
      if (!current) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      if (input.IfMatch !== etagOf(current)) throw preconditionFailed();
    }
  }

  private putObject(input: { Bucket?: string; Key?: string; IfNoneMatch?: string; IfMatch?: string; Body?: unknown }): { ETag: string } {
    this.checkCondition(input);
    const id = `${input.Bucket}/${input.Key}`;
    const body = Buffer.from(input.Body as string);
    this.objects.set(id, body);
    this.modified.set(id, new Date());
    return { ETag: etagOf(body) };
  }

  put(url: string, body: string | Buffer = 'x', modified = new Date()): void {
    this.objects.set(url.replace(/^s3:\/\//, ''), Buffer.from(body));
    this.modified.set(url.replace(/^s3:\/\//, ''), modified);
  }

  has(url: string): boolean {
    return this.objects.has(url.replace(/^s3:\/\//, ''));
  }

  text(url: string): string | undefined {
    return this.objects.get(url.replace(/^s3:\/\//, ''))?.toString('utf8');
  }

  /** Every object key under `url` (an s3:// prefix), sorted. */
  keysUnder(url: string): string[] {
    const prefix = url.replace(/^s3:\/\//, '');
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

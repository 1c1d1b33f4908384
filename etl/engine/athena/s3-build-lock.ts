import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsErrorText, awsFix } from './aws-error-text';
import { parseS3Url } from './s3-location';

/**
 * One build at a time per lake, also across machines: the lock is an object
 * created with a conditional PUT (If-None-Match: *), which S3 lets only one
 * writer win. A build that dies leaves it behind; the error names the object
 * to delete once no build is running.
 */
export interface BuildLock {
  acquire(owner: string): Promise<void>;
  release(): Promise<void>;
}

/** The lock is taken: another build runs (or died holding it). */
export class BuildLockHeldError extends Error {
  constructor(message: string) {
    super(message);
    // The embedded engine's name for the same refusal: a rebuild job tells the admin by this name (src/ imports no engine).
    this.name = 'BuildLockedError';
  }
}

const lostRace = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'PreconditionFailed' || e?.name === 'ConditionalRequestConflict' || [409, 412].includes(e?.$metadata?.httpStatusCode ?? 0);
};

export class S3BuildLock implements BuildLock {
  private held = false;

  constructor(
    private readonly s3: S3Client,
    private readonly url: string,
  ) {}

  async acquire(owner: string): Promise<void> {
    const { bucket, key } = parseS3Url(this.url);
    const body = JSON.stringify({ owner, since: new Date().toISOString() });
    try {
      await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: '*', ContentType: 'application/json' }));
      this.held = true;
    } catch (error) {
      if (!lostRace(error)) {
        const lake = this.url.replace(/\/_stedi\/build\.lock$/, '');
        throw new Error(
          `cannot write the lake's lock ${this.url} (${awsErrorText(error)}): ${awsFix(error, `grant s3:PutObject and s3:DeleteObject on ${lake}/* (and kms:GenerateDataKey on the bucket's key if it uses SSE-KMS)`)}`,
        );
      }
      throw new BuildLockHeldError(`another build holds the lake's lock ${this.url} (${await this.describeHolder()}); wait for it, or delete that object if no build is running`);
    }
  }

  async release(): Promise<void> {
    if (!this.held) return;
    const { bucket, key } = parseS3Url(this.url);
    await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    this.held = false;
  }

  private async describeHolder(): Promise<string> {
    try {
      const { bucket, key } = parseS3Url(this.url);
      const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const holder = JSON.parse((await response.Body?.transformToString('utf8')) ?? '{}') as { owner?: string; since?: string };
      return `${holder.owner ?? 'unknown build'} since ${holder.since ?? 'an unknown time'}`;
    } catch {
      return 'holder unknown';
    }
  }
}

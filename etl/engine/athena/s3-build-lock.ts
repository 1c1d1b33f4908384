import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type BoundedSend, boundedBy } from './aws-call';
import { awsErrorText, awsFix, isConditionFailed, isMissingObject, isNotImplemented, isServerFault } from './aws-error-text';
import { BuildLockHeldError, BuildLockLostError } from './build-lock-errors';
import { parseS3Url } from './s3-location';
import { describeStoredLock, readStoredLock, type StoredLock } from './s3-lock-object';

/** The lake a lock URL (`<lake>/_stedi/build.lock`) belongs to: what a permission to grant names. */
export const lakeOfLock = (lockUrl: string): string => lockUrl.replace(/\/_stedi\/build\.lock$/, '');

/**
 * One build at a time per lake, also across machines: the lock is an object
 * created with a conditional PUT (If-None-Match: *), which S3 lets only one
 * writer win. A build that dies leaves it behind; the error names the object
 * to delete once no build is running. Once that object is deleted by hand
 * another build may take the lock while the first still runs: each lock
 * carries its own token, and a build deletes (DeleteObject If-Match: its
 * ETag) or publishes under only the lock it wrote.
 */
export interface BuildLock {
  acquire(owner: string): Promise<void>;
  /** Throws BuildLockLostError when the lock is no longer the one this build wrote. */
  verify(): Promise<void>;
  /** Deletes the lock if it is still this build's; throws BuildLockLostError (leaving it alone) if not. */
  release(): Promise<void>;
}

// An ETag no object has: a conditional delete naming it must be refused by a store that honours If-Match.
const NO_SUCH_ETAG = '"00000000000000000000000000000000"';

// The call was given up (its time limit, a stalled answer) after it may have been sent.
const isTimeout = (error: unknown): boolean => ['TimeoutError', 'AbortError'].includes((error as { name?: string })?.name ?? '');

export class S3BuildLock implements BuildLock {
  private held?: { token: string; etag?: string };

  private readonly send: BoundedSend;

  constructor(
    private readonly s3: S3Client,
    private readonly url: string,
    /** How long one S3 call may take, retries included (STEDI_AWS_TIMEOUT_MS). */
    timeoutMs: number,
  ) {
    this.send = boundedBy(timeoutMs);
  }

  async acquire(owner: string): Promise<void> {
    const { bucket, key } = parseS3Url(this.url);
    // The token makes each lock's body, and so its ETag, its own: an ETag names this build's lock and no other.
    const token = randomUUID();
    const body = JSON.stringify({ owner, since: new Date().toISOString(), token });
    try {
      const written = await this.send((o) => this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, IfNoneMatch: '*', ContentType: 'application/json' }), o));
      this.held = { token, etag: written.ETag };
    } catch (error) {
      await this.refuseHeld(error, token);
    }
    await this.checkConditionalDeletes();
  }

  /**
   * Before anything is paid for: a store that cannot delete an object only while its ETag is the
   * one given would have this build delete whatever lock is there when it ends, another build's too.
   * A key that never exists is deleted under an ETag no object has: S3 answers 404 (no such key)
   * or 412; a store that ignores the header deletes nothing there and answers 204.
   */
  private async checkConditionalDeletes(): Promise<void> {
    const { bucket, key } = parseS3Url(this.url);
    let answer: string;
    try {
      await this.send((o) => this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${key}.if-match-check`, IfMatch: NO_SUCH_ETAG }), o));
      answer = 'ignores If-Match on DeleteObject';
    } catch (error) {
      if (isMissingObject(error) || isConditionFailed(error)) return;
      if (!isNotImplemented(error)) {
        await this.release().catch(() => undefined);
        const lake = lakeOfLock(this.url);
        throw new Error(`cannot check that the lake's lock ${this.url} can be deleted only while it is this build's (${awsErrorText(error)}): ${awsFix(error, `grant s3:DeleteObject and s3:GetObject on ${lake}/*`)}`);
      }
      answer = `answers DeleteObject with If-Match ${awsErrorText(error)}`;
    }
    // This build's lock stays: only a conditional delete could give it back without risking another build's.
    this.held = undefined;
    throw this.unsupported(answer);
  }

  /** The PUT failed: the lock is another build's (or this very build's, its PUT sent twice). */
  private async refuseHeld(error: unknown, token: string): Promise<void> {
    if (!isConditionFailed(error)) {
      // A PUT given up at its time limit, or answered 5xx (S3 may have written it), may have landed all the same: a lock left so would refuse every build.
      if (isTimeout(error) || isServerFault(error)) await this.giveBackIfOurs(token).catch(() => undefined);
      const lake = lakeOfLock(this.url);
      throw new Error(
        `cannot write the lake's lock ${this.url} (${awsErrorText(error)}): ${awsFix(error, `grant s3:PutObject, s3:GetObject and s3:DeleteObject on ${lake}/* (and kms:GenerateDataKey on the bucket's key if it uses SSE-KMS)`)}`,
      );
    }
    const holder = await this.readHolder().catch(() => undefined);
    // The SDK sends a PUT again when its answer was lost: the first one may have written this very lock.
    if (holder?.token === token) {
      this.held = { token, etag: holder.etag };
      return;
    }
    throw new BuildLockHeldError(`another build holds the lake's lock ${this.url} (${describeStoredLock(holder)}); wait for it, or delete that object if no build is running`);
  }

  private unsupported(answer: string): Error {
    return new Error(
      `the S3 store of ${this.url} ${answer}, so a build could delete another build's lock: use a bucket on AWS S3 (conditional deletes since September 2025) or a store that honours If-Match on DeleteObject; this build's lock was left there: delete it (aws s3 rm ${this.url}) when no build runs`,
    );
  }

  /** Who holds the lock now (this build, another, or a dead one whose lock was left: `build <version>`, `stedi doctor`, '' when it names no one); undefined when none does. */
  async heldBy(): Promise<string | undefined> {
    return (await this.holder())?.owner;
  }

  /** The lock's owner (as heldBy) and when it was taken ('' when it does not say); undefined when there is none. */
  async holder(): Promise<{ owner: string; since: string } | undefined> {
    const holder = await this.readHolder();
    // A lock edited by hand may hold anything: only text is shown.
    return holder && { owner: typeof holder.owner === 'string' ? holder.owner : '', since: typeof holder.since === 'string' ? holder.since : '' };
  }

  async verify(): Promise<void> {
    if (!this.held) throw new BuildLockLostError(`this build does not hold the lake's lock ${this.url}`);
    const holder = await this.readHolder();
    if (holder?.token !== this.held.token) throw this.lost(holder);
  }

  async release(): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    let etag = held.etag;
    if (etag === undefined) {
      // A store that gave the PUT no ETag: the token read back says whose lock it is.
      const holder = await this.readHolder();
      if (holder?.token !== held.token) throw this.lost(holder);
      etag = holder.etag;
    }
    // Without an ETag no delete can be made conditional: an unconditional one could delete another build's lock.
    if (etag === undefined) throw this.unsupported('gives the lock no ETag');
    try {
      await this.deleteIfMatch(etag);
    } catch (error) {
      // 412: another build's lock now (a different ETag); 404: deleted by hand. Either way not ours to delete.
      if (isConditionFailed(error) || isMissingObject(error)) throw this.lost(await this.readHolder().catch(() => undefined));
      if (isNotImplemented(error)) throw this.unsupported(`answers DeleteObject with If-Match ${awsErrorText(error)}`);
      throw error;
    }
  }

  /** Deletes the lock if it is the one `token` wrote (conditional on the ETag read with it). */
  private async giveBackIfOurs(token: string): Promise<void> {
    const holder = await this.readHolder();
    if (holder?.token === token && holder.etag !== undefined) await this.deleteIfMatch(holder.etag);
  }

  /** Deletes the lock only while its ETag is `etag`. */
  private async deleteIfMatch(etag: string): Promise<void> {
    const { bucket, key } = parseS3Url(this.url);
    await this.send((o) => this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }), o));
  }

  private lost(holder: StoredLock | undefined): BuildLockLostError {
    const now = holder ? `it is now held by ${describeStoredLock(holder)}` : 'it was deleted';
    return new BuildLockLostError(`the lake's lock ${this.url} is no longer this build's (${now}); it was left as it is`);
  }

  /** The lock as it is on S3; undefined when there is none. */
  private readHolder(): Promise<StoredLock | undefined> {
    return readStoredLock(this.s3, this.send, this.url);
  }
}

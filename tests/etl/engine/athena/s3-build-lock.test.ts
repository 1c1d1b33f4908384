import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BuildLockHeldError, BuildLockLostError } from '../../../../etl/engine/athena/build-lock-errors';
import { S3BuildLock } from '../../../../etl/engine/athena/s3-build-lock';
import { FakeS3 } from '../../../helpers/fake-aws';

/**
 * The lake's lock on S3 belongs to the build that wrote it. When an operator
 * deletes a lock they believe stale while its build still runs, a second build
 * may take it: the first build must then neither delete the second's lock nor
 * believe it still holds one.
 */

const LOCK = 's3://example-bucket/stedi/_stedi/build.lock';

const otherLock = (s3: FakeS3): void => s3.put(LOCK, JSON.stringify({ owner: 'build other', since: '2026-01-01T00:00:00.000Z', token: 'theirs' }));

describe('the S3 build lock', () => {
  it('gives back the lock it wrote with a delete conditional on that lock’s ETag', async () => {
    const s3 = new FakeS3();
    const lock = new S3BuildLock(s3.client, LOCK, 30_000);
    await lock.acquire('build a');
    const written = s3.mock.commandCalls(PutObjectCommand)[0];
    expect(written.args[0].input).toMatchObject({ IfNoneMatch: '*' });
    await lock.verify();
    await lock.release();
    expect(s3.has(LOCK)).toBe(false);
    const lockDeletes = s3.mock.commandCalls(DeleteObjectCommand).filter((c) => `s3://${c.args[0].input.Bucket}/${c.args[0].input.Key}` === LOCK);
    expect(lockDeletes.map((c) => c.args[0].input.IfMatch)).toEqual([(await written.returnValue).ETag]);
  });

  it('leaves another build’s lock alone when its own was deleted by hand and taken by that build', async () => {
    const s3 = new FakeS3();
    const lock = new S3BuildLock(s3.client, LOCK, 30_000);
    await lock.acquire('build a');
    s3.objects.clear();
    otherLock(s3);
    await expect(lock.verify()).rejects.toThrow(new BuildLockLostError(`the lake's lock ${LOCK} is no longer this build's (it is now held by build other since 2026-01-01T00:00:00.000Z); it was left as it is`));
    await expect(lock.release()).rejects.toBeInstanceOf(BuildLockLostError);
    expect(JSON.parse(s3.text(LOCK)!)).toMatchObject({ token: 'theirs' });
  });

  it('says its lock is gone, and deletes nothing, when the lock was deleted by hand', async () => {
    const s3 = new FakeS3();
    const lock = new S3BuildLock(s3.client, LOCK, 30_000);
    await lock.acquire('build a');
    s3.objects.clear();
    await expect(lock.release()).rejects.toThrow(`the lake's lock ${LOCK} is no longer this build's (it was deleted); it was left as it is`);
    // Given back once: a second release has nothing to do.
    await expect(lock.release()).resolves.toBeUndefined();
  });

  it('lets exactly one of two builds starting at once hold the lock', async () => {
    const s3 = new FakeS3();
    const [a, b] = [new S3BuildLock(s3.client, LOCK, 30_000), new S3BuildLock(s3.client, LOCK, 30_000)];
    const results = await Promise.allSettled([a.acquire('build a'), b.acquire('build b')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(BuildLockHeldError);
    const [winner, loser] = results[0].status === 'fulfilled' ? [a, b] : [b, a];
    await loser.release();
    expect(s3.has(LOCK)).toBe(true);
    await winner.release();
    expect(s3.has(LOCK)).toBe(false);
  });

  it('knows the lock is its own when a PUT it sent again was refused because its first PUT had landed', async () => {
    const s3 = new FakeS3();
    // The first PUT wrote the lock but its answer was lost; the SDK's second attempt meets that lock.
    s3.mock.on(PutObjectCommand).callsFake((input) => {
      s3.put(`s3://${input.Bucket}/${input.Key}`, input.Body as string);
      throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    });
    const lock = new S3BuildLock(s3.client, LOCK, 30_000);
    await lock.acquire('build a');
    await lock.verify();
    await lock.release();
    expect(s3.has(LOCK)).toBe(false);
  });

  it('gives back the lock its PUT wrote when that PUT was given up at its time limit', async () => {
    const s3 = new FakeS3();
    // The PUT lands, but its answer comes too late: the lock must not be left to refuse every later build.
    s3.mock.on(PutObjectCommand).callsFake((input) => {
      s3.put(`s3://${input.Bucket}/${input.Key}`, input.Body as string);
      throw Object.assign(new Error('AWS did not answer within 50 ms'), { name: 'TimeoutError' });
    });
    await expect(new S3BuildLock(s3.client, LOCK, 30_000).acquire('build a')).rejects.toThrow(`cannot write the lake's lock ${LOCK} (TimeoutError: AWS did not answer within 50 ms)`);
    expect(s3.has(LOCK)).toBe(false);
    // Another build's lock met at the same moment is left alone.
    s3.mock.on(PutObjectCommand).callsFake(() => {
      otherLock(s3);
      throw Object.assign(new Error('AWS did not answer within 50 ms'), { name: 'TimeoutError' });
    });
    await expect(new S3BuildLock(s3.client, LOCK, 30_000).acquire('build a')).rejects.toThrow(/TimeoutError/);
    expect(JSON.parse(s3.text(LOCK)!)).toMatchObject({ token: 'theirs' });
  });

  it('gives back the lock its PUT wrote when S3 answered that PUT 500, saying it failed on AWS’s side', async () => {
    const s3 = new FakeS3();
    s3.mock.on(PutObjectCommand).callsFake((input) => {
      s3.put(`s3://${input.Bucket}/${input.Key}`, input.Body as string);
      throw Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalError', $metadata: { httpStatusCode: 500, requestId: 'REQ-1' } });
    });
    await expect(new S3BuildLock(s3.client, LOCK, 30_000).acquire('build a')).rejects.toThrow(
      `cannot write the lake's lock ${LOCK} (InternalError: We encountered an internal error. Please try again.): a failure on AWS's side (HTTP 500, request id REQ-1), not in the request, the lake or the set-up: retry in a few minutes`,
    );
    expect(s3.has(LOCK)).toBe(false);
  });

  it('refuses, in one line saying what to do, a store that ignores If-Match on DeleteObject, and leaves its lock without deleting anything', async () => {
    const s3 = new FakeS3();
    const deleted: string[] = [];
    // Such a store deletes whatever is named, condition or not.
    s3.mock.on(DeleteObjectCommand).callsFake((input) => {
      deleted.push(`s3://${input.Bucket}/${input.Key}`);
      s3.objects.delete(`${input.Bucket}/${input.Key}`);
      return {};
    });
    const lock = new S3BuildLock(s3.client, LOCK, 30_000);
    const refusal = await lock.acquire('build a').then(() => undefined, (error: Error) => error);
    expect(refusal?.message).toBe(
      `the S3 store of ${LOCK} ignores If-Match on DeleteObject, so a build could delete another build's lock: use a bucket on AWS S3 (conditional deletes since September 2025) or a store that honours If-Match on DeleteObject; this build's lock was left there: delete it (aws s3 rm ${LOCK}) when no build runs`,
    );
    expect(deleted).not.toContain(LOCK);
    expect(s3.has(LOCK)).toBe(true);
    // Nothing is held, so nothing is given back later either.
    await lock.release();
    expect(deleted).not.toContain(LOCK);
  });

  it('refuses a store that answers If-Match on DeleteObject NotImplemented, before any build work, leaving its lock', async () => {
    const s3 = new FakeS3();
    s3.mock.on(DeleteObjectCommand).rejects(Object.assign(new Error('A header you provided implies functionality that is not implemented'), { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } }));
    await expect(new S3BuildLock(s3.client, LOCK, 30_000).acquire('build a')).rejects.toThrow(
      `the S3 store of ${LOCK} answers DeleteObject with If-Match NotImplemented: A header you provided implies functionality that is not implemented, so a build could delete another build's lock`,
    );
    expect(s3.has(LOCK)).toBe(true);
  });

  it('leaves its lock, saying what to do, when the store refuses the conditional delete only when the build ends', async () => {
    const s3 = new FakeS3();
    const lock = new S3BuildLock(s3.client, LOCK, 30_000);
    await lock.acquire('build a');
    s3.mock.on(DeleteObjectCommand).rejects(Object.assign(new Error('not implemented'), { name: 'NotImplemented', $metadata: { httpStatusCode: 501 } }));
    await expect(lock.release()).rejects.toThrow(`the S3 store of ${LOCK} answers DeleteObject with If-Match NotImplemented: not implemented, so a build could delete another build's lock`);
    expect(s3.has(LOCK)).toBe(true);
  });

  it('never deletes the lock unconditionally when the store gives it no ETag', async () => {
    const s3 = new FakeS3();
    // A store that answers the lock's PUT and GET without an ETag.
    s3.mock.on(PutObjectCommand).callsFake((input) => {
      s3.put(`s3://${input.Bucket}/${input.Key}`, input.Body as string);
      return {};
    });
    s3.mock.on(GetObjectCommand).callsFake((input) => ({ Body: { transformToString: async () => s3.text(`s3://${input.Bucket}/${input.Key}`) } }));
    const lock = new S3BuildLock(s3.client, LOCK, 30_000);
    await lock.acquire('build a');
    await expect(lock.release()).rejects.toThrow(`the S3 store of ${LOCK} gives the lock no ETag, so a build could delete another build's lock`);
    expect(s3.has(LOCK)).toBe(true);
    expect(s3.mock.commandCalls(DeleteObjectCommand).filter((c) => `s3://${c.args[0].input.Bucket}/${c.args[0].input.Key}` === LOCK)).toEqual([]);
  });

  it('still refuses a lock written by someone else, naming its holder', async () => {
    const s3 = new FakeS3();
    otherLock(s3);
    await expect(new S3BuildLock(s3.client, LOCK, 30_000).acquire('build a')).rejects.toThrow(`another build holds the lake's lock ${LOCK} (build other since 2026-01-01T00:00:00.000Z)`);
    expect(s3.has(LOCK)).toBe(true);
  });
});

import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BoundedSend } from './aws-call';
import { isMissingObject } from './aws-error-text';
import { parseS3Url } from './s3-location';

/** The lake's lock object as a build wrote it (s3-build-lock.ts), and the ETag S3 gives it. */
export interface StoredLock {
  owner?: string;
  since?: string;
  token?: string;
  etag?: string;
}

/** The lock object at `url` as it is on S3; undefined when there is none. */
export async function readStoredLock(s3: S3Client, send: BoundedSend, url: string): Promise<StoredLock | undefined> {
  const { bucket, key } = parseS3Url(url);
  try {
    const { text, etag } = await send(async (o) => {
      const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), o);
      return { text: (await response?.Body?.transformToString('utf8')) ?? '{}', etag: response?.ETag };
    });
    let holder: StoredLock = {};
    try {
      holder = JSON.parse(text) as StoredLock;
    } catch {
      // Not a lock this code wrote: it names no owner and matches no token.
    }
    return { owner: holder.owner, since: holder.since, token: holder.token, etag };
  } catch (error) {
    if (isMissingObject(error)) return undefined;
    throw error;
  }
}

/** Who holds a lock and since when, for a message. */
export function describeStoredLock(holder: StoredLock | undefined): string {
  if (!holder) return 'holder unknown';
  return `${holder.owner ?? 'unknown build'} since ${holder.since ?? 'an unknown time'}`;
}

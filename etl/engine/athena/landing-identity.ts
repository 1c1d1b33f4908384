import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { LandingIdentity } from '../engine';
import type { BoundedSend } from './aws-call';
import { landingObjects } from './landing-objects';
import { parseS3Url } from './s3-location';

/** A listing that cannot vouch for the landing (a page cut short, an object described only in part): the consent read runs. */
export class IncompleteLandingListError extends Error {
  constructor(prefix: string, detail: string) {
    super(`the listing of ${prefix} is incomplete (${detail}); the customer landing is read again`);
    this.name = 'IncompleteLandingListError';
  }
}

/**
 * Landing objects Athena skips (a name starting with _ or .) that the embedded engine reads as landing data: a
 * revocation in `_late.json` would be honoured on the laptop and not here, so consent cannot be decided (the build's
 * preflight refuses them too). Named as the embedded engine's LandingFolderError (engine-errors.ts), a problem the
 * server reports as such: data requests answer CONSENT_UNAVAILABLE and /readyz says an entry no build reads.
 */
export class SkippedLandingObjectsError extends Error {
  readonly problem = 'unread entry';
  constructor(
    readonly folder: string,
    names: readonly string[],
  ) {
    const some = `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
    super(`landing folder ${folder} holds ${some}, which Athena skips (a name starting with _ or .) though the embedded engine reads it: rename it without the leading _ or ., or move it out of the landing prefix`);
    this.name = 'LandingFolderError';
  }
}

/**
 * What Athena's landing views read now, listed rather than scanned: every object under the landing
 * `prefix` (Athena reads them all, hidden ones aside; listing them too can only cause a read) with its
 * size, ETag (a new one for every write of other bytes) and LastModified, and the live version whose
 * views read them. The same key later means the consent queries would read the same bytes through the
 * same views. Any page that fails or is incomplete rejects: an unknown landing is never called unchanged;
 * so does a landing file Athena skips (SkippedLandingObjectsError).
 */
export async function listedLandingIdentity(s3: S3Client, send: BoundedSend, prefix: string, liveVersion: string): Promise<LandingIdentity> {
  const { bucket, key } = parseS3Url(prefix);
  if (!prefix.endsWith('/') || key === '') throw new IncompleteLandingListError(prefix, 'not a folder prefix');
  const lines: string[] = [];
  let changedAtMs = 0;
  const tokens = new Set<string>();
  let token: string | undefined;
  do {
    const page = await send((o) => s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }), o));
    const contents = page.Contents ?? [];
    if (page.KeyCount !== undefined && page.KeyCount !== contents.length) throw new IncompleteLandingListError(prefix, `a page counts ${page.KeyCount} keys but lists ${contents.length}`);
    for (const object of contents) {
      const modified = object.LastModified?.getTime();
      if (object.Key === undefined || !object.Key.startsWith(key) || object.Size === undefined || !object.ETag || modified === undefined || Number.isNaN(modified)) {
        throw new IncompleteLandingListError(prefix, 'an object without its key, size, ETag or LastModified');
      }
      changedAtMs = Math.max(changedAtMs, modified);
      lines.push([object.Key, object.Size, object.ETag, modified].join('\0'));
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (page.IsTruncated && !token) throw new IncompleteLandingListError(prefix, 'a page is cut short without a continuation token');
    // A store handing back a token it gave before would list for ever.
    if (token !== undefined && tokens.has(token)) throw new IncompleteLandingListError(prefix, 'a continuation token repeats');
    if (token !== undefined) tokens.add(token);
  } while (token);
  const skipped = landingObjects(lines.map((line) => line.slice(key.length, line.indexOf('\0')))).skippedByAthena;
  if (skipped.length > 0) throw new SkippedLandingObjectsError(prefix, skipped);
  return { key: [`live ${liveVersion}`, `prefix ${prefix}`, ...lines.sort()].join('\n'), changedAtMs };
}

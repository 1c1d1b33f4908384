import type { S3Client } from '@aws-sdk/client-s3';
import type { LakeManifest } from '../../manifest';
import { S3BuildLock } from './s3-build-lock';
import type { S3Lake } from './s3-lake';
import type { AthenaLayout } from './s3-location';
import { diedAfterPublishing, publishedLeftovers, versionsOnS3 } from './version-cleanup';

/**
 * Versions a build expired but did not remove (killed after writing the manifest, or its removal failed):
 * no manifest names them, yet their S3 data may hold a customer who withdrew consent until the next
 * build removes them. While a build holds the lock it removes what it expires itself: none are named then,
 * unless that build published long ago (diedAfterPublishing): its lock then stays until deleted by hand.
 */
export class AbandonedVersions {
  /** The kept versions of the manifest under which no abandoned version was found. */
  private noneUnder?: string;

  constructor(
    private readonly s3: S3Client,
    private readonly layout: AthenaLayout,
    private readonly lake: S3Lake,
    private readonly awsTimeoutMs: number,
  ) {}

  async of(manifest: LakeManifest | null): Promise<string[]> {
    // No manifest: a build refuses to remove what is there (version-cleanup.ts), and nothing is erased by one.
    if (!manifest) return [];
    // Versions are left only by a build that wrote a manifest: none found under this one, none appear until the next (the S3 listings run at each consent refresh).
    const kept = manifest.versions.map((v) => v.version);
    if (this.noneUnder === kept.join(',')) return [];
    const owner = await new S3BuildLock(this.s3, this.layout.lockUrl, this.awsTimeoutMs).heldBy();
    if (owner !== undefined && !diedAfterPublishing(owner, manifest.versions[0])) return [];
    const left = publishedLeftovers(await versionsOnS3(this.layout, this.lake), new Set(kept));
    this.noneUnder = left.length === 0 ? kept.join(',') : undefined;
    return left;
  }
}

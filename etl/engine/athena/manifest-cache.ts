import type { LakeManifest } from '../../manifest';

/**
 * The lake manifest as last read from S3, kept `keepMs` (every query resolves its tables through it; each read is
 * a billed GET). A read that fails is not kept; forget() drops the copy when the engine knows it changed.
 */
export class ManifestCache {
  private cached?: { at: number; manifest: Promise<LakeManifest | null> };

  constructor(
    private readonly read: () => Promise<LakeManifest | null>,
    private readonly keepMs: number,
  ) {}

  get(): Promise<LakeManifest | null> {
    // Monotonic: a wall clock stepped back an hour kept serving the cached manifest for that hour.
    const now = performance.now();
    if (!this.cached || now - this.cached.at >= this.keepMs) {
      const manifest = this.read();
      this.cached = { at: now, manifest };
      manifest.catch(() => (this.cached = undefined));
    }
    return this.cached.manifest;
  }

  forget(): void {
    this.cached = undefined;
  }
}

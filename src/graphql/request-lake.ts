import type { LakeManifest } from '../../etl/manifest';
import type { ConsentSnapshot } from '../consent/consent-snapshot';
import type { Services } from '../services';
import { lakeNotBuilt } from './error-mapping';

/**
 * What one request reads once and then shares across all its fields: the
 * manifest (so every top-level field starts on the same live version) and
 * the consent snapshot (so every level filters the same customers).
 */
export class RequestLake {
  private manifestPromise?: Promise<LakeManifest>;
  private consentPromise?: Promise<ConsentSnapshot>;
  private cursorRead = false;

  constructor(private readonly services: Services) {}

  /** Notes that a field reads the version a caller's cursor pinned, not the live one this request took. */
  noteCursor(): void {
    this.cursorRead = true;
  }

  /** Whether any field read a version a caller's cursor pinned (an expired one is the caller's to restart from). */
  get readCursorVersion(): boolean {
    return this.cursorRead;
  }

  manifest(): Promise<LakeManifest> {
    this.manifestPromise ??= this.services.engine.manifest().then((m) => {
      if (!m || m.versions.length === 0) throw lakeNotBuilt();
      return m;
    });
    return this.manifestPromise;
  }

  /** Found damaged since it was loaded (a file no longer the one the manifest recorded): nothing kept of it is answered. */
  isDamaged(version: string): boolean {
    return this.services.engine.versionState?.(version).state === 'damaged';
  }

  async liveVersion(): Promise<string> {
    return (await this.manifest()).versions[0].version;
  }

  /** The snapshot, covering the live version (a version just published gets its own exclusion list first). */
  consent(): Promise<ConsentSnapshot> {
    const { consent } = this.services;
    // No manifest (not built, unreadable): the plain snapshot; the field reading data reports the manifest's error.
    this.consentPromise ??= this.manifest().then(
      (m) => consent.snapshotFor(m.versions[0].version, m.versions[0].consentPolicy),
      () => consent.snapshot(),
    );
    return this.consentPromise;
  }
}

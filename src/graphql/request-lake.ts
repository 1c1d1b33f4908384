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

  constructor(private readonly services: Services) {}

  manifest(): Promise<LakeManifest> {
    this.manifestPromise ??= this.services.engine.manifest().then((m) => {
      if (!m || m.versions.length === 0) throw lakeNotBuilt();
      return m;
    });
    return this.manifestPromise;
  }

  async liveVersion(): Promise<string> {
    return (await this.manifest()).versions[0].version;
  }

  consent(): Promise<ConsentSnapshot> {
    this.consentPromise ??= this.services.consent.snapshot();
    return this.consentPromise;
  }
}

import type { ConsentPolicy } from '../../etl/consent-policy';
import type { Engine } from '../../etl/engine/engine';
import { ManifestError } from '../../etl/manifest';
import type { Config } from '../config';

/**
 * The consent policy a build uses when none is asked of it: the one given to
 * the process (`--consent-policy`, STEDI_CONSENT_POLICY), else the live
 * version's, so a rebuild by hand or by the server never quietly relaxes an
 * `as-of` lake to `any`; else the default.
 */
export async function buildPolicy(engine: Engine, config: Pick<Config, 'consentPolicy' | 'consentPolicyGiven'>): Promise<ConsentPolicy> {
  if (config.consentPolicyGiven) return config.consentPolicy;
  // A manifest that fails its schema is what a build repairs (it sets it aside): the default then.
  const manifest = await engine.manifest().catch((error: unknown) => {
    if (error instanceof ManifestError) return null;
    throw error;
  });
  return manifest?.versions[0]?.consentPolicy ?? config.consentPolicy;
}

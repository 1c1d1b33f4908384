import { GraphQLError } from 'graphql';
import { StaleVersionError } from '../../etl/engine/engine-errors';
import type { ExpiryReason } from '../consent/expiry-reasons';
import { ErrorCode, StediError } from '../errors';
import type { Services } from '../services';

/**
 * Why a STALE_CURSOR, in its `extensions.reason`: a notebook restarts its pull either way, but must also discard
 * the rows it read when consent is, or may be, why (CONSENT_CHANGED, CONSENT_ERASURE, VERSION_EXPIRED). Never names a customer.
 */
export const STALE_REASONS = {
  /** Consent changed, in the cursor's (still kept) version, for a customer the pages already read may hold. */
  consentChanged: 'CONSENT_CHANGED',
  /** The version expired early: it held a customer consent no longer allows (the erasure bound). */
  consentErasure: 'CONSENT_ERASURE',
  /** The version expired as newer builds replaced it (STEDI_KEEP_VERSIONS), with no consent change seen in it. */
  replaced: 'VERSION_REPLACED',
  /** The version is no longer kept, and this server process did not see why (it started since). */
  expired: 'VERSION_EXPIRED',
  damaged: 'VERSION_DAMAGED',
  splitChanged: 'SPLIT_CHANGED',
  /** A request without a cursor whose version expired while it ran, twice. */
  lakeChanged: 'LAKE_CHANGED',
} as const satisfies Record<string, string>;

const RESTART = 'start again from the first page (omit `after`) to read the live version';

const EXPIRED_BECAUSE: Record<ExpiryReason, { reason: string; message: (version: string) => string }> = {
  CONSENT_ERASURE: {
    reason: STALE_REASONS.consentErasure,
    message: (version) =>
      `lake version ${version} is no longer kept: it was expired early to erase customers who withdrew consent for research (or whose consent became uncertain) since it was built, or readings the lake's consent policy (as-of) now leaves out; ` +
      `rows the earlier pages read may be theirs and must no longer be used: discard them and ${RESTART}`,
  },
  VERSION_REPLACED: {
    reason: STALE_REASONS.replaced,
    message: (version) =>
      `lake version ${version} is no longer kept: newer builds replaced it (the server keeps the newest STEDI_KEEP_VERSIONS versions), and no customer in it had withdrawn consent when this server last checked; ` +
      `${RESTART} (a larger page size, or /export in one request, finishes before rebuilds catch up)`,
  },
};

/** `error` said with why its version expired, when it is an expired version's and the registry knows why; else `error`. */
export async function explainExpiry(error: unknown, services: Pick<Services, 'engine' | 'consent'>): Promise<unknown> {
  const stale = error instanceof GraphQLError && !(error instanceof StediError) ? error.originalError : error;
  if (!(stale instanceof StaleVersionError) || stale.damage !== undefined) return error;
  // The live policy as the engine has it now: the registry may not have refreshed since the build that expired it.
  const livePolicy = await services.engine.manifest().then(
    (manifest) => manifest?.versions[0]?.consentPolicy,
    () => undefined,
  );
  const why = services.consent.expiryReason(stale.version, livePolicy);
  if (why === undefined) return error;
  return new StediError(ErrorCode.STALE_CURSOR, EXPIRED_BECAUSE[why].message(stale.version), EXPIRED_BECAUSE[why].reason);
}

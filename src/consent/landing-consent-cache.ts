import type { Engine } from '../../etl/engine/engine';
import { isLandingFolderError, LakeNotBuiltError } from '../../etl/engine/engine-errors';
import type { LandingConsent } from './landing-consent';
import type { LandingLimits } from '../../etl/landing/landing-reader';
import { readLandingConsent } from './versions-holding';

/**
 * How long every customer landing file must have been still before a read for
 * its identity to vouch for what was read: a write within the file system's
 * timestamp granularity of the stat could leave its size and times as they were.
 */
export const SETTLED_MS = 2_000;

/**
 * The consent registry's reads of the customer landing, each through the one
 * landing reader, skipped when the files are the very ones the last read saw
 * (same names, inodes, sizes, modification and change times, stat-ed before
 * that read; on an object store the same objects and ETags, and live version) and had been
 * still for `settledMs` before it. Any append, rewrite, replacement, new or
 * removed file means a full read, as always; so does an identity that cannot
 * be had (a failed or incomplete listing).
 */
export class LandingConsentCache {
  private last?: { key: string; settled: boolean; consent: LandingConsent };
  /** Refreshes answered from the last read (the landing was unchanged). */
  reused = 0;

  // Private: whether the last identity asked for failed, so a failing one is reported once, not every refresh.
  private unknown = false;

  constructor(
    private readonly engine: Engine,
    private readonly limits: LandingLimits = {},
    private readonly settledMs = SETTLED_MS,
    /** Told when the identity stops being had (a failing stat or listing): every refresh then reads the landing. */
    private readonly onUnknown?: (error: unknown) => void,
  ) {}

  async read(anyKeptVersion: string): Promise<LandingConsent> {
    const statAt = Date.now();
    // Engines that cannot tell (or files that cannot be stat-ed or listed now) are simply read.
    const identity = await this.engine.landingIdentity?.('customer').then(
      (known) => {
        this.unknown = false;
        return known;
      },
      (error: unknown) => {
        // A folder missing or holding what no build reads fails the read as well (on Athena, only the listing sees it).
        if (isLandingFolderError(error)) throw error;
        // Athena's before a first build: the read fails the same way, and the registry says so once (a warn with its stack here was noise).
        if (error instanceof LakeNotBuiltError) throw error;
        if (!this.unknown) this.onUnknown?.(error);
        this.unknown = true;
        return undefined;
      },
    );
    const last = this.last;
    if (identity && last?.settled && last.key === identity.key) {
      this.reused += 1;
      return last.consent;
    }
    this.last = undefined;
    const consent = await readLandingConsent(this.engine, anyKeptVersion, this.limits);
    if (identity) this.last = { key: identity.key, settled: identity.changedAtMs < statAt - this.settledMs, consent };
    return consent;
  }
}

import type { BigIntStats } from 'node:fs';
import { basename } from 'node:path';
import { pathInside } from './path-inside';
import { setTimeout as sleep } from 'node:timers/promises';
import { runBuild } from './build';
import type { BuildAgain, BuildOptions, LandingSettle } from './build-options';
import type { BuildTarget } from './engine/build-target';
import { LandingChangedError } from './landing-changed-error';
import { changeOf, statOrGone } from './landing/file-identity';
import type { VersionManifest } from './manifest';

/**
 * Builds in all when a landing file changes while it is read: a writer still at work (a copy, an upload) is
 * usually done by the next build, which reads the files as they are then; one still writing after that is
 * refused, naming the file, rather than built from half of it.
 */
export const LANDING_BUILDS = 3;

/** How long the changed file must stay as it is before the next build (a writer pausing between writes is still at work). */
export const SETTLE_MS = 1_000;

/** The most a build waits for that before going again anyway: a writer that never stops is refused, not waited for. */
export const MAX_SETTLE_WAIT_MS = 10_000;

/** Both bounds as a build takes them (BuildOptions.landingSettle). */
export const DEFAULT_LANDING_SETTLE: LandingSettle = { settleMs: SETTLE_MS, maxWaitMs: MAX_SETTLE_WAIT_MS };

/** runBuild on a new target from `openTarget`, again while a landing file changes under it, at most `builds` times. */
export async function runBuildOnSteadyLanding(openTarget: () => Promise<BuildTarget>, options: BuildOptions, builds = LANDING_BUILDS): Promise<VersionManifest> {
  const bounds = options.landingSettle ?? DEFAULT_LANDING_SETTLE;
  for (let k = 1; ; k += 1) {
    let landing: string | undefined;
    try {
      const target = await openTarget();
      landing = target.landing;
      return await runBuild(target, options);
    } catch (error) {
      if (!(error instanceof LandingChangedError)) throw error;
      if (k >= builds) throw new LandingChangedError(error.file, error.change, k);
      const again: BuildAgain = { file: inLanding(landing, error.file), change: error.change, build: k + 1, builds };
      options.onBuildAgain?.(`${error.what}; building again once it has stayed unchanged for ${spoken(bounds.settleMs)} (build ${k + 1} of at most ${builds})`, again);
      await settled(error.file, bounds);
    }
  }
}

/** `file` relative to the landing folder (`customer/landing/customer-1.json`); its name alone when it is not inside it. */
function inLanding(landing: string | undefined, file: string): string {
  const inside = landing === undefined ? undefined : pathInside(landing, file);
  return inside === undefined || inside === '' ? basename(file) : inside;
}

/** A wait as the build-again line says it: `a second` by default. */
const spoken = (ms: number): string => (ms === 1_000 ? 'a second' : `${ms} ms`);

/** Resolves once `file` has kept its identity (or stayed gone) for `settleMs`, or after `maxWaitMs`. */
// On the monotonic clock: a wall clock stepped back (NTP) held the build in this loop for the step.
async function settled(file: string, { settleMs, maxWaitMs }: LandingSettle): Promise<void> {
  const started = performance.now();
  let last = await identity(file);
  let since = performance.now();
  while (performance.now() - since < settleMs && performance.now() - started < maxWaitMs) {
    await sleep(Math.min(100, settleMs, maxWaitMs));
    const now = await identity(file);
    // Gone both times is no change: a file removed for good has settled.
    if ((last || now) && changeOf(last, now) !== undefined) [last, since] = [now, performance.now()];
  }
}

/** The identity landing-snapshot.ts compares (file-identity.ts); undefined when the file cannot be stat-ed at all (the next build says why). */
const identity = (file: string): Promise<BigIntStats | undefined> => statOrGone(file).catch(() => undefined);

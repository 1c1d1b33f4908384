import { runBuild } from './build';
import type { BuildOptions } from './build-options';
import type { BuildTarget } from './engine/build-target';
import { LandingChangedError } from './landing-changed-error';
import type { VersionManifest } from './manifest';

/**
 * Builds in all when a landing file changes while it is read: a writer still at work (a copy, an upload) is
 * usually done by the next build, which reads the files as they are then; one still writing after that is
 * refused, naming the file, rather than built from half of it.
 */
export const LANDING_BUILDS = 3;

/** runBuild on a new target from `openTarget`, again while a landing file changes under it, at most `builds` times. */
export async function runBuildOnSteadyLanding(openTarget: () => Promise<BuildTarget>, options: BuildOptions, builds = LANDING_BUILDS): Promise<VersionManifest> {
  for (let k = 1; ; k += 1) {
    try {
      return await runBuild(await openTarget(), options);
    } catch (error) {
      if (!(error instanceof LandingChangedError)) throw error;
      if (k >= builds) throw new LandingChangedError(error.file, error.change, k);
      options.onBuildAgain?.(`${error.what}; building again from the files as they are now (build ${k + 1} of at most ${builds})`);
    }
  }
}

import type { BuildProgress, LandingSettle } from '../../etl/build-options';
import type { ConsentPolicy } from '../../etl/consent-policy';
import type { Config } from '../config';
import type { RebuildJob } from './rebuild-job';
import type { BuiltVersion, OnBuildAgain, OnStaged } from './rebuild-process';

/** Runs one build for a job; by default a DuckDB build runs in a child process at a lower priority (rebuild-process.ts). */
export type BuildRunner = (
  config: Config,
  options: { consentPolicy: ConsentPolicy; keepVersions: number; maxLineBytes: number; doubtTextBytes: number; landingSettle?: LandingSettle },
  onProgress: (progress: BuildProgress) => void,
  onStaged?: OnStaged,
  onBuildAgain?: OnBuildAgain,
) => Promise<BuiltVersion>;

/** What the API and metrics use of rebuilds: these jobs, or a cluster worker's view of its primary's (cluster/remote-rebuilds.ts). */
export interface Rebuilds {
  start(consentPolicy?: ConsentPolicy): Promise<RebuildJob>;
  get(id: string): RebuildJob | undefined;
  list(): RebuildJob[];
  current(): RebuildJob | undefined;
  /** Resolves once no build runs (a running one published or failed). */
  settled(): Promise<void>;
  /** Starts no build more, and waits for a running one. */
  close(): Promise<void>;
}

import type { ConsentPolicy } from './consent-policy';
import type { LandingChange } from './landing-changed-error';
import type { VersionManifest } from './manifest';
import { sizeText } from './size-text';
import type { Source, TableName } from './tables';

/**
 * How a build is asked for and how it reports progress. Apart from
 * `etl/build.ts` so the engines can take these without importing the build
 * (which drives them): the build imports the engines' seam, never the reverse.
 */

export type BuildStep =
  | { kind: 'landing'; source: Source }
  | { kind: 'table'; table: TableName }
  | { kind: 'checks' }
  | { kind: 'publish' };

export interface BuildProgress {
  step: BuildStep;
  /** Steps finished so far, including this one when `done`. */
  completed: number;
  total: number;
  done: boolean;
  rows?: number;
}

export interface BuildOptions {
  consentPolicy?: ConsentPolicy;
  keepVersions?: number;
  onProgress?: (progress: BuildProgress) => void;
  /** The build runs beside readers (a server's rebuild): leave them capacity rather than taking every core. */
  background?: boolean;
  /** Landing lines longer than this many bytes are quarantined (default: landing-rules DEFAULT_MAX_LINE_BYTES). */
  maxLineBytes?: number;
  /** Text the consent-doubt searches keep at most (default: named-addresses KEPT_TEXT_BUDGET; STEDI_DOUBT_TEXT_BYTES). */
  doubtTextBytes?: number;
  /**
   * Of the older versions that stay kept, those to expire now (the erasure
   * bound: versions holding a customer who withdrew consent, or readings the
   * new version `live`'s policy leaves out). Asked at publish.
   */
  expireVersions?: (older: readonly VersionManifest[], live: VersionManifest) => Promise<readonly string[]>;
  /**
   * Called with the new version once its files are written and checked, just before the
   * manifest names it: a server loads it now, so its first readers find it ready.
   */
  beforePublish?: (version: VersionManifest) => Promise<void>;
  /**
   * Called when the new version is live but versions it expired could not be removed (a folder refusing it): they stay
   * on disk, perhaps holding customers who withdrew consent, until a build removes them. The message says which, and why.
   */
  onLeftBehind?: (message: string) => void;
  /**
   * Called once the build has removed what builds killed before they finished (kill -9, a power cut) left on the lake,
   * when that freed any disk: how many such builds, and the bytes freed, so the operator learns where the disk had gone.
   */
  onDeadBuildsCleared?: (cleared: DeadBuildsCleared) => void;
  /** Called when a landing file changed while it was read and the build starts again (build-again.ts); the message names the file. */
  onBuildAgain?: (message: string, again: BuildAgain) => void;
  /** How long such a file must stay unchanged before the build goes again, and the most it waits for that (build-again.ts's defaults). */
  landingSettle?: LandingSettle;
}

/** What a build removed of builds that died before finishing (dead-builds.ts). */
export interface DeadBuildsCleared {
  /** Dead builds whose leftovers went (their record, or a scratch folder left without one). */
  builds: number;
  /** Bytes freed on disk (files another version shares by a hard link are not counted: they stay). */
  bytes: number;
}

/** What `stedi build` prints and a server logs of it: the operator learns where the disk had gone. */
export function deadBuildsClearedMessage({ builds, bytes }: DeadBuildsCleared): string {
  // A build killed (or stopped by a power loss) before it finished, or one that published but could not remove a version it expired.
  return `removed what ${builds === 1 ? 'an earlier build' : `${builds} earlier builds`} left on the lake (stopped before finishing, or versions expired but not removed): ${sizeText(bytes)} freed`;
}

/** A build going again after a landing file changed while it was read: which file, how, and which build comes next. */
export interface BuildAgain {
  /** Relative to the landing folder (`customer/landing/customer-1.json`): a server logs it without its own folders. */
  file: string;
  change: LandingChange;
  /** The build about to start (2 or more) and the most there will be. */
  build: number;
  builds: number;
}

/** The bounds of the wait for a landing file that changed while it was read (STEDI_LANDING_SETTLE_MS, STEDI_LANDING_SETTLE_MAX_MS). */
export interface LandingSettle {
  /** How long the file must keep its identity (or stay gone) before the next build. */
  settleMs: number;
  /** The most the build waits for that before going again anyway. */
  maxWaitMs: number;
}

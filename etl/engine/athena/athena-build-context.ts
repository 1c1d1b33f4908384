import type { Catalog } from './glue-catalog';
import type { BuildLock } from './s3-build-lock';
import type { LakeStore } from './s3-lake';
import type { AthenaLayout } from './s3-location';
import type { StatementRunner } from './statement-runner';

/** What a build on Athena is given by its engine: the AWS-facing pieces it runs on (athena-build-target.ts, version-cleanup.ts). */
export interface AthenaBuildContext {
  database: string;
  layout: AthenaLayout;
  runner: StatementRunner;
  lake: LakeStore;
  lock: BuildLock;
  catalog: Catalog;
  warn: (message: string, error?: unknown) => void;
  /** Load landing sources one after another, so a dry run prints each source's statements together. */
  serialLanding?: boolean;
  /** Called once the new manifest is written (the engine drops its cached copy). */
  onPublished?: () => void;
  /** Checks the account before anything is paid for (see preflight.ts); runs first in `begin`. */
  preflight?: { check(): Promise<void> };
  /** Landing lines longer than this many bytes are quarantined (default: the embedded engine's 1 MiB). */
  maxLineBytes?: number;
}

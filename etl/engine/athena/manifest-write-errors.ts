import { awsErrorText } from './aws-error-text';

/** Why a build's conditional manifest PUT published nothing, or may not have (s3-lake.ts). */

/** The manifest was replaced (another build published) or deleted since this build read it: nothing was written. */
export class ManifestChangedError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `the lake's manifest ${url} changed while this build ran (another build published, or it was edited by hand): this build published nothing and left the lake as that change made it; build again`,
      { cause },
    );
    this.name = 'ManifestChangedError';
  }
}

/** The manifest's PUT failed without an answer saying it was refused: it may have landed, or may land still. */
export class ManifestWriteUnknownError extends Error {
  constructor(url: string, cause: unknown) {
    super(
      `could not tell whether the lake's manifest ${url} was written (${awsErrorText(cause)}): this build's version was left in place; the next build keeps it if the manifest names it and removes it if not, and until then Athena's live views may name another version than the manifest (the API reads the manifest's)`,
      { cause },
    );
    this.name = 'ManifestWriteUnknownError';
  }
}
